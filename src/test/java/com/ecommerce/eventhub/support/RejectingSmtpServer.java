package com.ecommerce.eventhub.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP peer that answers {@code 550 5.1.1} to every recipient, as a server does for an
 * unknown user: the one answer GreenMail cannot give.
 */
public final class RejectingSmtpServer extends ScriptedSmtpServer {

	private final AtomicInteger rejected = new AtomicInteger();

	private RejectingSmtpServer(int port) throws IOException {
		super(port, "rejecting");
	}

	/**
	 * @param port the port to listen on
	 * @return the running server
	 * @throws IOException when the port is taken
	 */
	public static RejectingSmtpServer start(int port) throws IOException {
		return new RejectingSmtpServer(port);
	}

	/** How many recipients were refused. */
	public int rejected() {
		return this.rejected.get();
	}

	@Override
	After answer(String command, BufferedReader in, PrintWriter out) {
		if (command.startsWith("RCPT TO")) {
			this.rejected.incrementAndGet();
			reply(out, "550 5.1.1 <recipient>: Recipient address rejected: User unknown");
		}
		else if (command.startsWith("EHLO") || command.startsWith("HELO") || command.startsWith("MAIL FROM")
				|| command.startsWith("RSET") || command.startsWith("NOOP")) {
			reply(out, "250 2.0.0 Ok");
		}
		else {
			reply(out, "503 5.5.1 Bad sequence of commands");
		}
		return After.CONTINUE;
	}

}
