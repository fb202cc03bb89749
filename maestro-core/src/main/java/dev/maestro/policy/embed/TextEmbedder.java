package dev.maestro.policy.embed;
/** TEMP STUB — replaced by the network branch. */
public interface TextEmbedder { float[] embed(String text); int dimension(); }
