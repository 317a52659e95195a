"""Walks the URLconf, so that tests can check that every URL pattern is covered."""

from django.urls import URLPattern, URLResolver, get_resolver


def all_url_patterns():
    """Yield (qualified name, route, pattern) for every named pattern in the project."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns or namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                yield name, prefix + str(pattern.pattern), pattern

    yield from walk(get_resolver().url_patterns, "", None)
