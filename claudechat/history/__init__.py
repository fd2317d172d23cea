"""The conversation history: what is kept, how, and how it is read back.

    store.py       HistoryStore over sqlite3: Summary, Stored
    schema.py      the tables, and the migrations that bring an older file to them
    blobs.py       image and document bytes out of content blocks (stored once) and back
    transcript.py  a conversation as a reader sees it: Markdown, JSON, rich output
    commands.py    `claudechat history list|show|export|rm|path`
    saving.py      continuing a stored conversation (ask, the chat) and Recorder, the save policy

Nothing here imports the chat, the CLI, `ask` or the settings; store.py imports
no display code either. Importing the package imports none of its modules.
"""
