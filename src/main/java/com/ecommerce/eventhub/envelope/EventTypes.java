package com.ecommerce.eventhub.envelope;

import java.util.List;

/**
 * The 21 event types of the spec; each has one payload schema per supported major
 * version.
 */
public final class EventTypes {

	/** Every event type the hub knows, in the spec's order. */
	public static final List<String> ALL = List.of("landing-cms.content-updated", "landing-cms.content-published",
			"product.created", "product.updated", "product.activated", "product.deactivated", "inventory.reserved",
			"inventory.released", "inventory.restocked", "order.cart.item-added", "order.cart.item-removed",
			"order.cart.item-quantity-updated", "order.cart.cleared", "order.cart.converted", "order.placed",
			"order.cancelled", "order.status-changed", "order.shipped", "email.notification-requested", "email.sent",
			"email.failed");

	private EventTypes() {
	}

}
