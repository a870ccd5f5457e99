"""Placeholder replaced by the real screen."""

from textual.screen import Screen


class DescribeScreen(Screen):
    """Not built yet."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__()
