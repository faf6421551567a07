package com.ecommerce.eventhub.ops;

import java.util.Map;

/**
 * One dead letter opened for a person: what the listing shows, the AMQP properties and
 * every header as text, and the body. Everything in it came from whoever published the
 * message: each value is bounded here and must be escaped wherever it is shown.
 *
 * @param view the listing's view of it
 * @param properties the AMQP properties that are set, by name ({@code content_type},
 * {@code message_id}, ...), as text
 * @param headers its headers by name, as text, at most
 * {@link DeadLetterQueue#MAX_HEADERS}
 * @param body the first {@link DeadLetterQueue#MAX_BODY_SHOWN} bytes of the body
 * @param bodySize the body's whole size in bytes
 */
public record DeadLetterMessage(DeadLetterView view, Map<String, String> properties, Map<String, String> headers,
		byte[] body, int bodySize) {

	/**
	 * @return whether {@link #body} is only the start of the body
	 */
	public boolean truncated() {
		return this.body.length < this.bodySize;
	}

}
