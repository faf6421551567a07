package com.ecommerce.eventhub.console;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.ecommerce.eventhub.config.ConsoleProperties;

import org.springframework.stereotype.Component;

/**
 * Limits failed console sign-ins per client address: after
 * {@code hub.console.sign-in-failures} failures within {@code hub.console.sign-in-window}
 * the address is refused until the oldest of them leaves the window, without its key
 * being checked. Keys are also compared in constant time; this makes guessing slow as
 * well. Bounded memory: at most {@link #MAX_CLIENTS} addresses are tracked (the longest
 * idle are dropped first).
 */
@Component
class SignInThrottle {

	static final int MAX_CLIENTS = 10_000;

	private final Clock clock;

	private final int failures;

	private final java.time.Duration window;

	private final Map<String, Deque<Instant>> byClient = new LinkedHashMap<>(16, 0.75f, true);

	SignInThrottle(Clock clock, ConsoleProperties console) {
		this.clock = clock;
		this.failures = console.signInFailures();
		this.window = console.signInWindow();
	}

	/**
	 * @param client a client address
	 * @return whether it may try to sign in now
	 */
	synchronized boolean allows(String client) {
		Deque<Instant> recent = this.byClient.get(client);
		if (recent == null) {
			return true;
		}
		expire(recent);
		return recent.size() < this.failures;
	}

	/**
	 * Counts a failed sign-in.
	 * @param client its address
	 */
	synchronized void failed(String client) {
		Deque<Instant> recent = this.byClient.computeIfAbsent(client, key -> new ArrayDeque<>());
		expire(recent);
		recent.addLast(this.clock.instant());
		while (recent.size() > this.failures) {
			recent.removeFirst();
		}
		if (this.byClient.size() > MAX_CLIENTS) {
			Iterator<String> eldest = this.byClient.keySet().iterator();
			eldest.next();
			eldest.remove();
		}
	}

	/**
	 * Forgets a client's failures after it signed in.
	 * @param client its address
	 */
	synchronized void succeeded(String client) {
		this.byClient.remove(client);
	}

	/** How many addresses are tracked now. */
	synchronized int tracked() {
		return this.byClient.size();
	}

	private void expire(Deque<Instant> recent) {
		Instant horizon = this.clock.instant().minus(this.window);
		while (!recent.isEmpty() && !recent.peekFirst().isAfter(horizon)) {
			recent.removeFirst();
		}
	}

}
