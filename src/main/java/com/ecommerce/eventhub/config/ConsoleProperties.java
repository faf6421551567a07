package com.ecommerce.eventhub.config;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The operator console at {@code /console} ({@code hub.console.*}).
 *
 * @param sessionIdleTimeout a session unused this long is over: the browser must sign in
 * again
 * @param sessionMaxAge a session is over this long after its sign-in, however busy
 * @param secureCookie when the session cookie is {@code Secure}: {@code auto} when the
 * request came over HTTPS (behind a TLS proxy set {@code server.forward-headers-strategy}
 * so the hub knows), {@code always}, or {@code never}
 * @param signInFailures failed sign-ins one client address may make per
 * {@code signInWindow} before it is refused (429) without the key being checked
 * @param signInWindow the window of {@code signInFailures}
 * @param maxBodySize the largest form a console page posts (a selection of dead letters)
 */
@Validated
@ConfigurationProperties("hub.console")
public record ConsoleProperties(@DefaultValue("15m") Duration sessionIdleTimeout,
		@DefaultValue("8h") Duration sessionMaxAge, @DefaultValue("auto") @NotNull SecureCookie secureCookie,
		@DefaultValue("10") @Positive @Max(10_000) int signInFailures, @DefaultValue("5m") Duration signInWindow,
		@DefaultValue("64KB") DataSize maxBodySize) {

	public ConsoleProperties {
		if (sessionIdleTimeout.isNegative() || sessionIdleTimeout.isZero()
				|| sessionIdleTimeout.compareTo(sessionMaxAge) > 0) {
			throw new IllegalArgumentException("hub.console.session-idle-timeout must be positive and at most "
					+ "hub.console.session-max-age, got " + sessionIdleTimeout);
		}
	}

	/** When the session cookie carries {@code Secure}. */
	public enum SecureCookie {

		/** When the request came over HTTPS. */
		AUTO,

		/** Always: the console is only reached over HTTPS. */
		ALWAYS,

		/** Never (plain HTTP on a trusted network only). */
		NEVER

	}

}
