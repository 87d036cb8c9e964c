"""Reading records: the `--where` parser and the listings every kind shares."""
