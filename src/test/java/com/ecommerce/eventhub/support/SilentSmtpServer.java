package com.ecommerce.eventhub.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP peer that takes a whole message and then never gives the final reply to the
 * first {@code silent} of them, as a server does that stores the mail and dies before it
 * answers: the sender cannot know whether the mail went out. Later messages are accepted
 * with {@code 250}. Every message it received, answered or not, is kept as text.
 */
public final class SilentSmtpServer implements AutoCloseable {

	private final ServerSocket server;

	private final AtomicInteger silent;

	private final List<String> received = new CopyOnWriteArrayList<>();

	private final List<String> accepted = new CopyOnWriteArrayList<>();

	private final List<Socket> held = new CopyOnWriteArrayList<>();

	private SilentSmtpServer(int port, int silent) throws IOException {
		this.server = new ServerSocket();
		this.server.setReuseAddress(true);
		this.server.bind(new InetSocketAddress("127.0.0.1", port));
		this.silent = new AtomicInteger(silent);
		Thread thread = new Thread(this::serve, "silent-smtp");
		thread.setDaemon(true);
		thread.start();
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

	private void serve() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				Thread session = new Thread(() -> session(client), "silent-smtp-session");
				session.setDaemon(true);
				session.start();
			}
			catch (IOException ex) {
				// closed
			}
		}
	}

	private void session(Socket client) {
		try {
			BufferedReader in = new BufferedReader(
					new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
			PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8);
			reply(out, "220 silent.test ESMTP");
			String line;
			while ((line = in.readLine()) != null) {
				String command = line.toUpperCase(Locale.ROOT);
				if (command.startsWith("EHLO") || command.startsWith("HELO")) {
					reply(out, "250 silent.test");
				}
				else if (command.startsWith("DATA")) {
					reply(out, "354 End data with <CR><LF>.<CR><LF>");
					StringBuilder message = new StringBuilder();
					while ((line = in.readLine()) != null && !line.equals(".")) {
						message.append(line).append("\n");
					}
					this.received.add(message.toString());
					if (this.silent.getAndDecrement() > 0) {
						// Stored, but no answer: the connection stays open and mute.
						this.held.add(client);
						return;
					}
					this.accepted.add(message.toString());
					reply(out, "250 2.0.0 Ok: queued");
				}
				else if (command.startsWith("QUIT")) {
					reply(out, "221 2.0.0 Bye");
					break;
				}
				else {
					reply(out, "250 2.0.0 Ok");
				}
			}
			client.close();
		}
		catch (IOException ex) {
			// the client went away
		}
	}

	private static void reply(PrintWriter out, String line) {
		out.print(line + "\r\n");
		out.flush();
	}

	@Override
	public void close() throws IOException {
		for (Socket socket : this.held) {
			socket.close();
		}
		this.server.close();
	}

}
