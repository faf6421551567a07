/**
 * The hub's settings: {@code @ConfigurationProperties} records under the {@code hub.*}
 * prefix, validated at start-up, and the few shared beans (clock, compiled schemas) no
 * single capability owns.
 */
package com.ecommerce.eventhub.config;
