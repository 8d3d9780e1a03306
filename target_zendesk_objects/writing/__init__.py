"""Writing to Zendesk: the write modes, bulk jobs, the calls, STATE once confirmed, the rejections file."""
