package dev.maestro.mcp.server;

import java.nio.file.Path;

/**
 * Turns the {@code images} of an {@code ask} call into files the experts can read. Over stdio the client is a local
 * program ({@link LocalImages}: data URLs and local paths); over HTTP the server decides (data URLs, allow-listed
 * hosts), so {@code maestro serve} brings its own.
 */
public interface ImageResolver {

    /** A scope for one call's images; closing it deletes the files it wrote. */
    Scope open();

    /** The images of one call. */
    interface Scope extends AutoCloseable {
        /**
         * The file of one image.
         *
         * @param image what the client sent
         * @param field where it was, for messages ({@code images[0]})
         * @throws dev.maestro.MaestroException naming the field and what would be valid
         */
        Path add(String image, String field);

        @Override
        void close();
    }
}
