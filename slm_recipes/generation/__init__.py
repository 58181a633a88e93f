"""Answers from chat messages: batched generation rendered as training rendered, grounded numbers, and the
`generation:` settings that chat, predict, serve, the exports and the evaluation share.
"""
