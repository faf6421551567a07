package com.ecommerce.eventhub.web;

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
 */
public record RequestBodyAllowance(String method, String path, boolean prefix, long maxBytes) {

	/**
	 * @param requestMethod a request's method
	 * @param routedPath a request's routed path
	 * @return whether this allowance covers the request
	 */
	boolean covers(String requestMethod, String routedPath) {
		return this.method.equals(requestMethod)
				&& (this.prefix ? routedPath.startsWith(this.path) : routedPath.equals(this.path));
	}

}
