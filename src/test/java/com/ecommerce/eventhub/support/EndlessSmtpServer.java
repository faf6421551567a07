package com.ecommerce.eventhub.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile SMTP peer: it greets, then answers EHLO with a reply that never ends (see
 * {@link Answer}), written until the write fails (the client closed the connection) or
 * for {@link #GIVE_UP}.
 */
public final class EndlessSmtpServer extends ScriptedSmtpServer {

	/** How long one connection is fed at most when the client never closes it. */
	static final Duration GIVE_UP = Duration.ofSeconds(60);

	private final Answer answer;

	private final AtomicInteger closedByClient = new AtomicInteger();

	private EndlessSmtpServer(int port, Answer answer) throws IOException {
		super(port, "endless");
		this.answer = answer;
	}

	/**
	 * @param port the port to listen on
	 * @param answer what EHLO gets
	 * @return the running server
	 * @throws IOException when the port is taken
	 */
	public static EndlessSmtpServer start(int port, Answer answer) throws IOException {
		return new EndlessSmtpServer(port, answer);
	}

	/** Connections the client closed while being fed. */
	public int closedByClient() {
		return this.closedByClient.get();
	}

	@Override
	After answer(String command, BufferedReader in, PrintWriter out) {
		if (!command.startsWith("EHLO")) {
			reply(out, "250 2.0.0 Ok");
			return After.CONTINUE;
		}
		String part = switch (this.answer) {
			case ENDLESS_LINE -> "a".repeat(64 * 1024);
			case ENDLESS_LINES -> ("250-" + "a".repeat(1018) + "\r\n").repeat(64);
			case TRICKLED_LINE -> "a";
		};
		out.print("250-");
		long end = System.nanoTime() + GIVE_UP.toNanos();
		try {
			while (System.nanoTime() < end) {
				out.print(part);
				if (out.checkError()) { // flushes; true once a write failed
					this.closedByClient.incrementAndGet();
					break;
				}
				Thread.sleep((this.answer == Answer.TRICKLED_LINE) ? 100 : 60);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return After.CLOSE;
	}

	/** The answer to EHLO. */
	public enum Answer {

		/** {@code 250-aaaa...} without a line end, 64 KB every 60 ms. */
		ENDLESS_LINE,

		/** {@code 250-aaaa...} lines of 1 KB without a last line, 64 KB every 60 ms. */
		ENDLESS_LINES,

		/** {@code 250-aaaa...} one byte every 100 ms: within any size limit for days. */
		TRICKLED_LINE

	}

}
