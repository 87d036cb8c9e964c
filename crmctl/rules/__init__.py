"""What a value may be: normalisation of names, web addresses and contacts, validation, vocabulary, settings, permissions."""
