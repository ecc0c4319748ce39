"""What the workbook is about: areas, KPI measures, THE tidy KPI table, the 2014+ timeliness history and targets. Built
from the data layer; knows nothing of models or pages."""
