#!/bin/sh
# How the MCP Bundle starts on macOS and Linux (manifest.json, platform_overrides): `uv run` of server/main.py,
# with the uv the host provides on PATH, else one from uv's usual install places (a desktop app's PATH often
# lacks them: a bare `uv` then fails with only "spawn uv ENOENT"). Without uv it says what to install.
bundle=$(cd "$(dirname "$0")/.." && pwd)
for uv in "$(command -v uv 2>/dev/null)" "$HOME/.local/bin/uv" "$HOME/.cargo/bin/uv" /opt/homebrew/bin/uv /usr/local/bin/uv; do
    if [ -n "$uv" ] && [ -x "$uv" ]; then
        exec "$uv" run --directory "$bundle" server/main.py "$@"
    fi
done
cat >&2 <<'MESSAGE'
huawei-meeting-mcp: uv was not found, and this extension needs it to fetch Python and its dependencies.
Install uv (https://docs.astral.sh/uv/getting-started/installation/), for example:
  curl -LsSf https://astral.sh/uv/install.sh | sh      (or, with Homebrew: brew install uv)
then restart Claude Desktop. Looked for uv on PATH and in ~/.local/bin, ~/.cargo/bin, /opt/homebrew/bin
and /usr/local/bin.
MESSAGE
exit 127
