/**
 * The audit trail of operator actions ({@code operator_action}): who (the API key's name)
 * did what, to what, with which filter, to how many, when and with what outcome; written
 * before each action and completed after it, and listed newest first at
 * {@code GET /api/v1/audit} and in the console.
 */
package com.ecommerce.eventhub.audit;
