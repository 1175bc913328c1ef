"""`python -m huawei_meeting_mcp` does what the `huawei-meeting-mcp` command does."""

from .cli import main

if __name__ == "__main__":
    main()
