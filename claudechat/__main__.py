"""`python -m claudechat`."""

from claudechat.cli import main

if __name__ == "__main__":
    main()
