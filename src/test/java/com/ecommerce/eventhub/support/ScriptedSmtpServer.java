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

/**
 * An SMTP peer on a local port that answers as its subclass scripts it, for the answers
 * GreenMail cannot give: each connection gets a session of its own, and every command the
 * script leaves alone is answered {@code 250}.
 */
abstract class ScriptedSmtpServer implements AutoCloseable {

	private final ServerSocket server;

	/** Connections a script keeps open and mute until {@link #close}. */
	private final List<Socket> held = new CopyOnWriteArrayList<>();

	private final String name;

	ScriptedSmtpServer(int port, String name) throws IOException {
		this.name = name;
		this.server = new ServerSocket();
		this.server.setReuseAddress(true);
		this.server.bind(new InetSocketAddress("127.0.0.1", port));
		Thread thread = new Thread(this::serve, name + "-smtp");
		thread.setDaemon(true);
		thread.start();
	}

	/** What the script does with one connection. */
	enum After {

		/** Go on reading commands. */
		CONTINUE,

		/** Close the connection. */
		CLOSE,

		/** Keep the connection open, never answering again. */
		HOLD

	}

	/**
	 * Answers one command.
	 * @param command the command line, upper case
	 * @param in the rest of the conversation (a DATA's message, see {@link #message})
	 * @param out where the answers go (see {@link #reply})
	 * @return what happens to the connection next
	 * @throws IOException when the client went away
	 */
	abstract After answer(String command, BufferedReader in, PrintWriter out) throws IOException;

	static void reply(PrintWriter out, String line) {
		out.print(line + "\r\n");
		out.flush();
	}

	/**
	 * Reads a message after DATA's {@code 354}, up to the line with a single dot.
	 * @param in the conversation
	 * @return the message's lines
	 * @throws IOException when the client went away
	 */
	static String message(BufferedReader in) throws IOException {
		StringBuilder message = new StringBuilder();
		String line;
		while ((line = in.readLine()) != null && !line.equals(".")) {
			message.append(line).append("\n");
		}
		return message.toString();
	}

	private void serve() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				Thread session = new Thread(() -> session(client), this.name + "-smtp-session");
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
			reply(out, "220 " + this.name + ".test ESMTP");
			String line;
			while ((line = in.readLine()) != null) {
				String command = line.toUpperCase(Locale.ROOT);
				After after;
				if (command.startsWith("QUIT")) {
					reply(out, "221 2.0.0 Bye");
					after = After.CLOSE;
				}
				else {
					after = answer(command, in, out);
				}
				if (after == After.HOLD) {
					this.held.add(client);
					return;
				}
				if (after == After.CLOSE) {
					break;
				}
			}
			client.close();
		}
		catch (IOException ex) {
			// the client went away
		}
	}

	@Override
	public void close() throws IOException {
		for (Socket socket : this.held) {
			socket.close();
		}
		this.server.close();
	}

}
