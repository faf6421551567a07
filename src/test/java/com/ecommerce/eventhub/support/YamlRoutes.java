package com.ecommerce.eventhub.support;

/** Route file text the tests write into a hub's routes folder. */
public final class YamlRoutes {

	private YamlRoutes() {
	}

	/**
	 * The shipped forwarder's second route: the event POSTed to a URL with its eventId,
	 * the answer's body ignored.
	 * @param id the route's id, also its {@code direct:} name
	 * @param url the target, e.g. a {@code {{property}}} placeholder
	 * @param responseTimeout the call's response timeout in milliseconds
	 * @return a YAML list item
	 */
	public static String webhookPost(String id, String url, int responseTimeout) {
		return """
				- route:
				    id: %1$s
				    from:
				      uri: direct:%1$s
				      steps:
				        - removeHeaders:
				            pattern: "*"
				        - setHeader:
				            name: X-Event-Id
				            simple: "${exchangeProperty.hubEventId}"
				        - setHeader:
				            name: CamelHttpMethod
				            constant: POST
				        - to:
				            uri: "%2$s"
				            parameters:
				              connectTimeout: 2000
				              responseTimeout: %3$d
				              ignoreResponseBody: true
				""".formatted(id, url, responseTimeout);
	}

	/**
	 * Starts a {@link WebhookServer} for a test class's static field.
	 * @return the running server
	 */
	public static WebhookServer startWebhook() {
		try {
			return WebhookServer.start();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
