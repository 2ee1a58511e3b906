"""``cohesion explore``: a local web app to move parameters and events and watch the scores respond.

``session`` turns the analyst's settings into in-memory results through the
library (no model code here); ``app`` lays out the controls and draws the
report's own figures with Dash. Dash is imported only when the app is built.
"""
