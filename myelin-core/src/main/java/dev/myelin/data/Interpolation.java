package dev.myelin.data;

/**
 * How a geometric augmentation reads the input between pixel centres, as Keras's {@code interpolation}:
 * {@link #BILINEAR} weighs the four neighbours by their distances, {@link #NEAREST} takes the closest pixel
 * (coordinates rounded half away from zero, as C's {@code round}).
 */
public enum Interpolation { NEAREST, BILINEAR }
