package com.ecommerce.eventhub.audit;

import java.time.Instant;

/**
 * One operator action as the audit trail keeps it.
 *
 * @param id its sequence number: newer actions have higher ones
 * @param at when it was started
 * @param actor who: the name of the API key the operator used (never the key)
 * @param channel {@code api} or {@code console}
 * @param action what, e.g. {@code dead-letters.replay}, {@code route.stop},
 * {@code replay}
 * @param target what it was done to (a route id), or null
 * @param filter what selected the items, as JSON text (e.g.
 * {@code {"eventType":"order.placed"}}), or null
 * @param affected how many items it changed; null while it runs or when it failed before
 * counting
 * @param outcome {@code started} while it runs, then {@code ok} or {@code failed: <why>}
 */
public record OperatorAction(long id, Instant at, String actor, String channel, String action, String target,
		String filter, Integer affected, String outcome) {

	/** The outcome of an action that did what it was asked. */
	public static final String OK = "ok";

	/** The outcome of an action until it completes. */
	public static final String STARTED = "started";

}
