"""huawei-meeting-mcp: an MCP server for past Huawei Cloud Meeting conferences."""

__version__ = "0.1.0"
