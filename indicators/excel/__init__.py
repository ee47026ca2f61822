"""openpyxl import and export of actuals: a pure reader, row errors, and the writer."""
