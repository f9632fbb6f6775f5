"""The ``otklik`` command line."""
