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
		return webhookPost(id, url, responseTimeout, true);
	}

	/**
	 * The shipped forwarder's second route: the event POSTed to a URL with its eventId.
	 * @param id the route's id, also its {@code direct:} name
	 * @param url the target, e.g. a {@code {{property}}} placeholder
	 * @param responseTimeout the call's response timeout in milliseconds
	 * @param ignoreResponseBody whether the answer's body is ignored
	 * @return a YAML list item
	 */
	public static String webhookPost(String id, String url, int responseTimeout, boolean ignoreResponseBody) {
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
				""".formatted(id, url, responseTimeout)
				+ (ignoreResponseBody ? "              ignoreResponseBody: true\n" : "");
	}

	/**
	 * A {@code hub-consumer} route whose target is {@code direct:<routeId>-post} (see
	 * {@link #webhookPost}).
	 * @param routeId the route's id
	 * @param queue its queue
	 * @param bindings its bindings
	 * @param parameters further template parameters, in order (name, value, ...)
	 * @return a YAML list item
	 */
	public static String consumer(String routeId, String queue, String bindings, String... parameters) {
		StringBuilder yaml = new StringBuilder("""
				- templatedRoute:
				    routeTemplateRef: hub-consumer
				    routeId: %1$s
				    parameters:
				      - name: queue
				        value: %2$s
				      - name: bindings
				        value: "%3$s"
				      - name: target
				        value: direct:%1$s-post
				""".formatted(routeId, queue, bindings));
		for (int index = 0; index + 1 < parameters.length; index += 2) {
			yaml.append("      - name: ").append(parameters[index]).append('\n');
			yaml.append("        value: \"").append(parameters[index + 1]).append("\"\n");
		}
		return yaml.toString();
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
