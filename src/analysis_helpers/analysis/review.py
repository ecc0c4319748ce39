"""Former home of the status rules and the executive summary (now analysis.status and reporting.summary).

Kept only until the review notebook imports from the new homes.
"""

from analysis_helpers.analysis.status import CHANGE_RULE, RAG_RULE, change_status, rag_status  # noqa: F401
from analysis_helpers.reporting.summary import SUMMARY_MEASURES, executive_summary  # noqa: F401
