"""The object stores: a local folder and S3, behind one interface."""
