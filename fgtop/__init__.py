"""fgtop: top for AWS Fargate."""

__version__ = "0.1.0"
