package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import ij.IJ;
import ij.ImageJ;
import ij.Menus;

import java.awt.EventQueue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Hashtable;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * ImageJ set up the way Fiji starts it, for macro tests: a plugins folder with a jar holding our
 * {@code plugins.config}, an {@link ImageJ} instance without a window, and a thread that records and closes every
 * dialog (so that an error message never leaves a test waiting on a click). Needs a display (Xvfb).
 */
final class IjHarness {

	/** Titles and texts of the dialogs that opened since the last {@link #clearDialogs()}. */
	static final List<String> DIALOGS = Collections.synchronizedList(new ArrayList<>());
	private static boolean started;

	private IjHarness() {}

	/** Starts ImageJ with our menu commands (once per JVM; another test class may have done it already). */
	static synchronized void start(Path tmp) throws IOException {
		if (!started) {
			Thread closer = new Thread(IjHarness::closeDialogs, "IjHarness dialog closer");
			closer.setDaemon(true);
			closer.start();
			started = true;
		}
		if (IJ.getInstance() == null) {
			installPluginsFolder(tmp.resolve("Fiji.app"));
			new ImageJ(ImageJ.NO_SHOW);
		}
		if (Menus.getCommands() == null) IJ.run("Close All");
		assertNotNull(Menus.getCommands(), "ImageJ initialised its menus");
	}

	/** ImageJ's command table. */
	static Hashtable<?, ?> commands() {
		return Menus.getCommands();
	}

	static void clearDialogs() {
		DIALOGS.clear();
	}

	private static void installPluginsFolder(Path ijDir) throws IOException {
		Path plugins = Files.createDirectories(ijDir.resolve("plugins"));
		try (InputStream config = IjHarness.class.getResourceAsStream("/plugins.config");
			OutputStream out = Files.newOutputStream(plugins.resolve("MedCNN_.jar"));
			JarOutputStream jar = new JarOutputStream(out)) {
			assertNotNull(config, "plugins.config must be on the class path (the top-level plugins.config, packed by the build)");
			jar.putNextEntry(new JarEntry("plugins.config"));
			config.transferTo(jar);
			jar.closeEntry();
		}
		System.setProperty("plugins.dir", plugins.toString());
	}

	private static void closeDialogs() {
		while (true) {
			for (java.awt.Window w : java.awt.Window.getWindows())
				if (w instanceof java.awt.Dialog d && d.isShowing()) {
					DIALOGS.add(d.getTitle() + ": " + texts(d));
					EventQueue.invokeLater(d::dispose);
				}
			try {
				Thread.sleep(100);
			} catch (InterruptedException e) {
				return;
			}
		}
	}

	/** The texts of the labels and text fields in a container (ImageJ's MultiLineLabel is read by reflection). */
	static String texts(java.awt.Container c) {
		StringBuilder sb = new StringBuilder();
		for (java.awt.Component k : c.getComponents()) {
			if (k instanceof java.awt.Label l) sb.append(l.getText()).append(' ');
			else if (k instanceof ij.gui.MultiLineLabel m) sb.append(lines(m)).append(' ');
			else if (k instanceof java.awt.TextComponent t) sb.append(t.getText()).append(' ');
			else if (k instanceof java.awt.Container inner) sb.append(texts(inner));
		}
		return sb.toString().trim();
	}

	private static String lines(ij.gui.MultiLineLabel m) {
		try {
			java.lang.reflect.Field f = m.getClass().getDeclaredField("lines");
			f.setAccessible(true);
			return Arrays.toString((String[]) f.get(m));
		} catch (ReflectiveOperationException e) {
			throw new AssertionError(e);
		}
	}
}
