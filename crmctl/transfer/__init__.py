"""Spreadsheets in and out: reading .xls/.xlsx/.csv, matching headers, import runs and export (to come)."""
