package com.ecommerce.eventhub.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP server that takes one mail per connection and answers the next MAIL FROM on it
 * with 421, as a server that caps the mails per connection does.
 */
public final class OneMailPerConnectionSmtpServer extends ScriptedSmtpServer {

	private final AtomicInteger delivered = new AtomicInteger();

	private final AtomicInteger refused = new AtomicInteger();

	/** Whether a session's connection has delivered its mail (per session thread). */
	private final ThreadLocal<Boolean> used = ThreadLocal.withInitial(() -> false);

	private OneMailPerConnectionSmtpServer(int port) throws IOException {
		super(port, "one-mail");
	}

	public static OneMailPerConnectionSmtpServer start(int port) throws IOException {
		return new OneMailPerConnectionSmtpServer(port);
	}

	public int delivered() {
		return this.delivered.get();
	}

	public int refused() {
		return this.refused.get();
	}

	@Override
	After answer(String command, BufferedReader in, PrintWriter out) throws IOException {
		if (command.startsWith("MAIL FROM") && this.used.get()) {
			this.refused.incrementAndGet();
			reply(out, "421 4.7.0 one mail per connection");
			return After.CLOSE;
		}
		if (command.equals("DATA")) {
			reply(out, "354 go ahead");
			message(in);
			this.delivered.incrementAndGet();
			this.used.set(true);
			reply(out, "250 2.0.0 queued");
		}
		else {
			reply(out, "250 ok");
		}
		return After.CONTINUE;
	}

}
