/**
 * Shared HTTP infrastructure of the hub's API: API-key authentication of {@code /api/**}
 * and RFC 9457 problem responses. The endpoints themselves live in their capability's
 * package.
 */
package com.ecommerce.eventhub.web;
