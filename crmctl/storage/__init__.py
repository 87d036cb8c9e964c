"""Where records live: the database connection chosen at run time, the Peewee models and the schema's version."""
