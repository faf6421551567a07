package com.ecommerce.eventhub.envelope;

/**
 * One reason an envelope is invalid.
 *
 * @param pointer JSON pointer (RFC 6901) of the offending field, e.g.
 * {@code /payload/items/0/sku}
 * @param message what is wrong with it
 */
public record Violation(String pointer, String message) {

	@Override
	public String toString() {
		return this.pointer + ": " + this.message;
	}

}
