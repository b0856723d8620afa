"""The domain: the records, the one search, the other queries and every write.

Nothing here imports the web layer: no request objects, blueprints, forms or templates.
"""
