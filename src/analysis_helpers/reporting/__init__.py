"""What people read: narrative sentences, tables, charts (one house style), disclosure control, the executive summary,
the notebooks' sections and the sources section. Draws, but never runs notebooks."""
