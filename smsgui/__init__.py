"""smsgui: send test SMS through the Vonage SMS API and understand what happened."""

__version__ = "0.1.0"
APP_NAME = "smsgui"
APP_ID = "io.github.smsgui.SmsGui"
