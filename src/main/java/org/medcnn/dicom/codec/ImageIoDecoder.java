package org.medcnn.dicom.codec;

import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.Tag;

/**
 * Decodes a JPEG or JPEG 2000 frame with a named Image I/O reader, reading the raster (raw components, no colour
 * conversion), so the photometric interpretation of the DICOM header alone decides what the samples mean.
 * <p>
 * The reader is looked up by its service provider class in the default {@link IIORegistry} (and registered there
 * when missing), never by format name: the JDK's JPEG reader would otherwise be picked for lossless JPEG, and
 * plugin discovery through the context class loader does not work inside Fiji. A fresh reader is made for each
 * frame, so decoding is thread-safe.
 */
final class ImageIoDecoder implements FrameDecoder {

	private final String spiClass;
	private final String codec;

	/**
	 * @param spiClass the fully qualified name of the {@link ImageReaderSpi}
	 * @param codec "JPEG" or "JPEG 2000", for messages
	 */
	ImageIoDecoder(String spiClass, String codec) {
		this.spiClass = spiClass;
		this.codec = codec;
	}

	@Override
	public int[] decode(byte[] data, FrameLayout l, int frame) throws DicomReadException {
		ImageReader reader = reader(l);
		List<String> warnings = new ArrayList<>();
		reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
		try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
			reader.setInput(in, true, true);
			int w = reader.getWidth(0);
			int h = reader.getHeight(0);
			if (w != l.columns() || h != l.rows())
				throw error(l, frame, "the " + codec + " stream is " + w + "×" + h + " but Columns × Rows is " + l.columns()
					+ "×" + l.rows());
			Raster r = reader.readRaster(0, null);
			if (r.getWidth() != w || r.getHeight() != h || r.getNumBands() != l.samplesPerPixel())
				throw error(l, frame, "the " + codec + " stream decodes to " + r.getWidth() + "×" + r.getHeight() + " with "
					+ r.getNumBands() + " components but SamplesPerPixel is " + l.samplesPerPixel());
			// Readers fill what a truncated or corrupt stream lacks and only warn: never pass that off as pixels.
			if (!warnings.isEmpty())
				throw error(l, frame, "the " + codec + " stream is damaged: " + String.join("; ", warnings));
			return r.getPixels(r.getMinX(), r.getMinY(), w, h, (int[]) null);
		} catch (DicomReadException e) {
			throw e;
		} catch (IOException | RuntimeException e) {
			throw new DicomReadException(l.file(), Tag.PixelData, "frame " + (frame + 1) + ": the " + codec
				+ " stream cannot be decoded: " + e, e);
		} catch (ThreadDeath e) {
			// JJ2000 (inside jai-imageio-jpeg2000) reports damaged code streams by printing the cause and throwing a
			// bare ThreadDeath from JJ2KExceptionHandler; it is thrown, not a real Thread.stop, so it is safe to catch.
			throw new DicomReadException(l.file(), Tag.PixelData, "frame " + (frame + 1) + ": the " + codec
				+ " stream is damaged or truncated (the decoder gave up; its details are on the error output)", e);
		} catch (Error e) {
			// JJ2000 also throws its own Errors (NotImplementedError "Tile length larger than maximum supported", …)
			// for damaged code streams; anything else (OutOfMemoryError, …) is not ours to hide.
			if (!e.getClass().getName().startsWith("jj2000.")) throw e;
			throw new DicomReadException(l.file(), Tag.PixelData, "frame " + (frame + 1) + ": the " + codec
				+ " stream cannot be decoded (damaged, or a variant JJ2000 does not support): " + e, e);
		} finally {
			reader.dispose();
		}
	}

	private ImageReader reader(FrameLayout l) throws DicomReadException {
		try {
			return provider().createReaderInstance();
		} catch (IOException | ReflectiveOperationException | RuntimeException | LinkageError e) {
			throw new DicomReadException(l.file(), Tag.PixelData, "transfer syntax " + l.transferSyntax()
				+ " needs the Image I/O reader " + spiClass + ", which is not available: " + e, e);
		}
	}

	private ImageReaderSpi provider() throws ReflectiveOperationException {
		Class<? extends ImageReaderSpi> c = Class.forName(spiClass, true, ImageIoDecoder.class.getClassLoader())
			.asSubclass(ImageReaderSpi.class);
		IIORegistry registry = IIORegistry.getDefaultInstance();
		synchronized (ImageIoDecoder.class) {
			ImageReaderSpi spi = registry.getServiceProviderByClass(c);
			if (spi == null) {
				// Registration runs the provider's onRegistration (TwelveMonkeys finds its JDK delegate there).
				registry.registerServiceProvider(c.getDeclaredConstructor().newInstance(), ImageReaderSpi.class);
				spi = registry.getServiceProviderByClass(c);
			}
			return spi;
		}
	}

	private DicomReadException error(FrameLayout l, int frame, String what) {
		return new DicomReadException(l.file(), Tag.PixelData, "frame " + (frame + 1) + ": " + what);
	}
}
