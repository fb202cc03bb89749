package dev.maestro.serve;

import io.javalin.Javalin;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Control servers for the serving benchmark: they answer every request with the same small JSON without running
 * anything, so a load against them measures what one loopback HTTP round trip between two JVMs costs on this
 * machine at this moment. {@link #socket()} is a bare thread-per-connection socket server (the floor of any HTTP
 * server); {@link #javalin()} is Javalin/Jetty with a constant handler (the floor of our HTTP stack). Subtracting
 * their percentiles from the Maestro server's isolates the orchestration's own share.
 */
final class FloorServer implements AutoCloseable {
    static final String BODY = "{\"id\":\"floor\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"42\"},\"finish_reason\":\"stop\"}]}";
    private final AutoCloseable closer;
    private final String url;

    private FloorServer(AutoCloseable closer, String url) {
        this.closer = closer;
        this.url = url;
    }

    String url() {
        return url;
    }

    static FloorServer javalin() {
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            config.routes.post(MaestroServer.CHAT, ctx -> {
                ctx.req().getInputStream().readAllBytes();
                ctx.contentType("application/json").result(BODY.getBytes(StandardCharsets.UTF_8));
            });
        });
        app.start();
        return new FloorServer(app::stop, "http://127.0.0.1:" + app.port());
    }

    static FloorServer socket() throws IOException {
        ServerSocket ss = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        byte[] response = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n" + BODY)
                .getBytes(StandardCharsets.UTF_8);
        Thread acceptor = new Thread(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    s.setTcpNoDelay(true);
                    Thread t = new Thread(() -> serve(s, response), "floor-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "floor-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return new FloorServer(ss, "http://127.0.0.1:" + ss.getLocalPort());
    }

    /** Reads requests (headers, then Content-Length bytes) and answers each with the fixed response, keep-alive. */
    private static void serve(Socket s, byte[] response) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16); OutputStream out = s.getOutputStream()) {
            StringBuilder line = new StringBuilder();
            while (true) {
                long length = 0;
                boolean first = true;
                while (true) {
                    line.setLength(0);
                    int c;
                    while ((c = in.read()) != '\n') {
                        if (c < 0) {
                            return;
                        }
                        if (c != '\r') {
                            line.append((char) c);
                        }
                    }
                    if (line.length() == 0) {
                        if (first) {
                            continue;
                        }
                        break;
                    }
                    first = false;
                    String l = line.toString();
                    if (l.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                        length = Long.parseLong(l.substring(15).trim());
                    }
                }
                in.skipNBytes(length);
                out.write(response);
                out.flush();
            }
        } catch (IOException e) {
            // client went away
        }
    }

    @Override
    public void close() throws Exception {
        closer.close();
    }
}
