package com.ecommerce.eventhub.web;

import com.ecommerce.eventhub.config.SecurityProperties.ApiKey;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;

/**
 * The authenticated caller of a REST exchange, as {@link ApiKeyAuthenticationFilter} left
 * it.
 */
public final class Callers {

	private Callers() {
	}

	/**
	 * @param exchange a REST exchange from camel-platform-http
	 * @return the caller, or null when the request was not authenticated
	 */
	public static ApiKey of(Exchange exchange) {
		PlatformHttpMessage message = exchange.getMessage(PlatformHttpMessage.class);
		return (message != null) ? (ApiKey) message.getRequest().getAttribute(ApiKeyAuthenticationFilter.CALLER) : null;
	}

	/**
	 * The caller of an API exchange, which {@link ApiKeyAuthenticationFilter}
	 * authenticated before any route runs: that filter alone decides 401.
	 * @param exchange a REST exchange from camel-platform-http on an {@code /api} path
	 * @return the caller
	 * @throws IllegalStateException when the request did not pass the filter (a wiring
	 * error)
	 */
	public static ApiKey require(Exchange exchange) {
		ApiKey caller = of(exchange);
		if (caller == null) {
			throw new IllegalStateException("an /api request reached its route without an authenticated caller");
		}
		return caller;
	}

	/**
	 * A second check behind the filter for the operations endpoints; answers 403 when it
	 * fails.
	 * @param exchange a REST exchange
	 * @return true when the caller is an admin
	 */
	public static boolean requireAdmin(Exchange exchange) {
		ApiKey caller = of(exchange);
		if (caller != null && caller.admin()) {
			return true;
		}
		HttpAnswers.problem(exchange, 403, "Forbidden", "This API key may not use the operations endpoints.");
		return false;
	}

}
