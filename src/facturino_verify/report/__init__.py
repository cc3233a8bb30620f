"""What a run leaves behind for people and dashboards: the HTML report's sections and charts and
the Pushgateway metrics. Pytest-free: the plugin's report hooks call these."""
