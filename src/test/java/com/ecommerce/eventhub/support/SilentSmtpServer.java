package com.ecommerce.eventhub.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP peer that takes a whole message and then never gives the final reply to the
 * first {@code silent} of them, as a server does that stores the mail and dies before it
 * answers: the sender cannot know whether the mail went out. Later messages are accepted
 * with {@code 250}. Every message it received, answered or not, is kept as text.
 */
public final class SilentSmtpServer extends ScriptedSmtpServer {

	private final AtomicInteger silent;

	private final List<String> received = new CopyOnWriteArrayList<>();

	private final List<String> accepted = new CopyOnWriteArrayList<>();

	private SilentSmtpServer(int port, int silent) throws IOException {
		super(port, "silent");
		this.silent = new AtomicInteger(silent);
	}

	/**
	 * @param port the port to listen on
	 * @param silent how many messages get no final reply
	 * @return the running server
	 * @throws IOException when the port is taken
	 */
	public static SilentSmtpServer start(int port, int silent) throws IOException {
		return new SilentSmtpServer(port, silent);
	}

	/** Every message received, the unanswered ones included, as raw text. */
	public List<String> received() {
		return List.copyOf(this.received);
	}

	/** The messages answered with 250. */
	public List<String> accepted() {
		return List.copyOf(this.accepted);
	}

	@Override
	After answer(String command, BufferedReader in, PrintWriter out) throws IOException {
		if (!command.startsWith("DATA")) {
			reply(out, "250 2.0.0 Ok");
			return After.CONTINUE;
		}
		reply(out, "354 End data with <CR><LF>.<CR><LF>");
		String message = message(in);
		this.received.add(message);
		if (this.silent.getAndDecrement() > 0) {
			// Stored, but no answer: the connection stays open and mute.
			return After.HOLD;
		}
		this.accepted.add(message);
		reply(out, "250 2.0.0 Ok: queued");
		return After.CONTINUE;
	}

}
