package com.ecommerce.eventhub.routes;

/** A route file that does not parse or does not validate; {@link #line()} when known. */
class RouteFileRejectedException extends Exception {

	private final Integer line;

	RouteFileRejectedException(String message, Integer line, Throwable cause) {
		super(message, cause);
		this.line = line;
	}

	Integer line() {
		return this.line;
	}

}
