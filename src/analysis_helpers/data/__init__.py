"""Files as published: DfE release zips (EES CSV reading, symbols, periods, geography, parquet cache), the data log and
checksums, neighbour lists, the DSG table, area facts, the council-measures catalogue and councils' local feeds. Knows
files, not statistics."""
