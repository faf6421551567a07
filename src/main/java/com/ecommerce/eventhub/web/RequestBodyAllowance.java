package com.ecommerce.eventhub.web;

import java.util.Locale;

/**
 * An endpoint that takes a request body, and how large it may be. Each capability
 * declares its own as beans; {@link RequestLimitsFilter} refuses a body on every other
 * method and path.
 *
 * @param method the HTTP method, e.g. {@code POST}
 * @param path the routed path, e.g. {@code /api/v1/events}
 * @param prefix whether {@code path} is a prefix ({@code /api/v1/dead-letters/}) rather
 * than the exact path
 * @param maxBytes the largest body accepted
 * @param form whether the body is an HTML form
 * ({@code application/x-www-form-urlencoded}, the operator console's pages) instead of
 * JSON (every API endpoint)
 * @param anonymous whether callers that have not authenticated post it (the console's
 * sign-in): such bodies are read under a small budget of their own, so that anonymous
 * callers trickling bodies in cannot take the reads of authenticated ones
 */
public record RequestBodyAllowance(String method, String path, boolean prefix, long maxBytes, boolean form,
		boolean anonymous) {

	/**
	 * An endpoint of authenticated callers.
	 * @param method the HTTP method
	 * @param path the routed path
	 * @param prefix whether {@code path} is a prefix
	 * @param maxBytes the largest body accepted
	 * @param form whether the body is an HTML form instead of JSON
	 */
	public RequestBodyAllowance(String method, String path, boolean prefix, long maxBytes, boolean form) {
		this(method, path, prefix, maxBytes, form, false);
	}

	/**
	 * An endpoint that takes JSON.
	 * @param method the HTTP method
	 * @param path the routed path
	 * @param prefix whether {@code path} is a prefix
	 * @param maxBytes the largest body accepted
	 */
	public RequestBodyAllowance(String method, String path, boolean prefix, long maxBytes) {
		this(method, path, prefix, maxBytes, false);
	}

	/**
	 * @param requestMethod a request's method
	 * @param routedPath a request's routed path
	 * @return whether this allowance covers the request
	 */
	boolean covers(String requestMethod, String routedPath) {
		return this.method.equals(requestMethod)
				&& (this.prefix ? routedPath.startsWith(this.path) : routedPath.equals(this.path));
	}

	/**
	 * @param contentType a request's Content-Type header
	 * @return whether this endpoint takes a body of that type
	 */
	boolean accepts(String contentType) {
		return this.form ? isForm(contentType) : RequestLimitsFilter.isJson(contentType);
	}

	/** What a refused body should have been sent as. */
	String expected() {
		return this.form ? "application/x-www-form-urlencoded" : "application/json";
	}

	private static boolean isForm(String contentType) {
		return contentType != null && contentType.split(";", 2)[0].trim()
			.toLowerCase(Locale.ROOT)
			.equals("application/x-www-form-urlencoded");
	}

}
