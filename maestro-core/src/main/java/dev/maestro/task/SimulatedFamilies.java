package dev.maestro.task;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The seven question families of the {@code paper-sim} suite (see {@link SimulatedSuite}): templates whose gold
 * answers are computed exactly from the data the question states, with the words and numbers they are written in.
 * Every draw takes its randomness from one {@link SimulatedRandom}, in a fixed order, so the suite file stays
 * byte-identical for a seed.
 */
final class SimulatedFamilies {
    private SimulatedFamilies() {
    }

    static SimulatedItem draw(String family, SimulatedRandom g) {
        return switch (family) {
            case "chart" -> chart(g);
            case "geometry" -> geometry(g);
            case "counting" -> counting(g);
            case "science" -> science(g);
            case "medical" -> medical(g);
            case "ocr" -> ocr(g);
            case "perception" -> perception(g);
            default -> throw new IllegalStateException(family);
        };
    }

    private static SimulatedItem chart(SimulatedRandom g) {
        String[] companies = {"Northwind Traders", "Acme Robotics", "Bluefin Foods", "Helios Solar", "Crestline Media",
            "Orchid Pharma", "Summit Outdoor", "Vertex Logistics"};
        int kind = g.nextInt(5);
        if (kind <= 1) {
            String company = g.pick(companies);
            int year = 2015 + g.nextInt(10);
            double[] q = g.distinctTenths(4, 8.0, 60.0);
            String data = String.format(Locale.ROOT, "Q1 = %.1f, Q2 = %.1f, Q3 = %.1f, Q4 = %.1f", q[0], q[1], q[2], q[3]);
            String head = "The bar chart titled \"Quarterly revenue of " + company + ", " + year + " ($M)\" shows " + data + ". ";
            if (kind == 0) {
                boolean highest = g.nextBoolean();
                int idx = highest ? argMax(q) : argMin(q);
                return SimulatedItem.choice("chart.bar-extreme", head + "Which quarter had the " + (highest ? "highest" : "lowest")
                        + " revenue?", List.of("Q1", "Q2", "Q3", "Q4"), idx, highest ? -0.4 : -0.3);
            }
            double range = q[argMax(q)] - q[argMin(q)];
            return SimulatedItem.number("chart.bar-range", head + "What is the difference, in $M, between the highest and the lowest quarterly revenue?",
                    fmt1(range), 0.2);
        }
        if (kind == 2) {
            String[] cities = {"Oslo", "Lisbon", "Denver", "Kyoto", "Cape Town", "Toronto", "Madrid", "Seoul"};
            String[] months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun"};
            double[] t = g.distinctTenths(6, -8.0, 28.0);
            StringBuilder data = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                data.append(i == 0 ? "" : ", ").append(months[i]).append(String.format(Locale.ROOT, " %.1f °C", t[i]));
            }
            boolean warm = g.nextBoolean();
            int answer = warm ? argMax(t) : argMin(t);
            // Four options that always include the answer, in calendar order.
            List<Integer> idx = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
            idx.remove(Integer.valueOf(answer));
            g.shuffle(idx);
            List<Integer> chosen = new ArrayList<>(idx.subList(0, 3));
            chosen.add(answer);
            chosen.sort(Integer::compare);
            List<String> opts = chosen.stream().map(i -> months[i]).toList();
            return SimulatedItem.choice("chart.line-extreme", "The line chart of monthly mean temperature in " + g.pick(cities)
                    + " shows " + data + ". In which month was the mean temperature " + (warm ? "highest" : "lowest") + "?",
                    opts, chosen.indexOf(answer), 0.0);
        }
        if (kind == 3) {
            String[] parts = {"Marketing", "Research", "Operations", "Sales", "Support", "Administration"};
            List<String> names = new ArrayList<>(Arrays.asList(parts));
            g.shuffle(names);
            int a = 10 + g.nextInt(21);
            int b = 10 + g.nextInt(21);
            int c = 5 + g.nextInt(16);
            int d = 100 - a - b - c;
            String q = "A pie chart of " + g.pick(companies) + "'s annual budget shows " + names.get(0) + " " + a + "%, "
                    + names.get(1) + " " + b + "%, " + names.get(2) + " " + c + "%, and " + names.get(3)
                    + " taking the remaining share. What percentage of the budget goes to " + names.get(3) + "?";
            return SimulatedItem.number("chart.pie-remainder", q, String.valueOf(d), -0.2);
        }
        String[] products = {"laptops", "phones", "tablets", "monitors", "printers"};
        int[] units = new int[4];
        StringBuilder data = new StringBuilder();
        int sum = 0;
        for (int i = 0; i < 4; i++) {
            units[i] = 20 + g.nextInt(181);
            sum += units[i];
            data.append(i == 0 ? "" : ", ").append("store ").append((char) ('A' + i)).append(": ").append(units[i]);
        }
        // Mean rounded to one decimal: the value a careful reader of the chart would report.
        return SimulatedItem.number("chart.bar-mean", "A bar chart shows the number of " + g.pick(products)
                + " sold last month by four stores (" + data + "). What is the mean number sold per store? Round to one decimal.",
                fmt1(Math.round(sum / 4.0 * 10) / 10.0), 0.5);
    }

    private static SimulatedItem geometry(SimulatedRandom g) {
        int kind = g.nextInt(7);
        switch (kind) {
            case 0 -> {
                int a = 20 + g.nextInt(71);
                int b = 20 + g.nextInt(Math.max(1, 160 - a - 20));
                return SimulatedItem.number("geometry.triangle-angle", "In triangle ABC, angle A = " + a + "° and angle B = " + b
                        + "°. What is the measure of angle C, in degrees?", String.valueOf(180 - a - b), -0.6);
            }
            case 1 -> {
                int[][] triples = {{3, 4, 5}, {5, 12, 13}, {8, 15, 17}, {7, 24, 25}, {20, 21, 29}, {9, 40, 41}};
                int[] t = g.pick(triples);
                int k = 1 + g.nextInt(4);
                return SimulatedItem.number("geometry.hypotenuse", "A right triangle has legs of length " + t[0] * k + " cm and "
                        + t[1] * k + " cm. What is the length of the hypotenuse, in cm?", String.valueOf(t[2] * k), -0.1);
            }
            case 2 -> {
                int r = 2 + g.nextInt(19);
                return SimulatedItem.number("geometry.circle-area", "A circle has radius " + r
                        + " cm. What is its area in cm², rounded to two decimals?", fmt2(Math.PI * r * r), 0.2);
            }
            case 3 -> {
                int w = 2 + g.nextInt(15);
                int l = w + 1 + g.nextInt(20);
                return SimulatedItem.number("geometry.rectangle-area", "A rectangle has a perimeter of " + 2 * (w + l)
                        + " m and a width of " + w + " m. What is its area, in m²?", String.valueOf(w * l), 0.3);
            }
            case 4 -> {
                int[] ns = {5, 6, 8, 9, 10, 12, 15, 18, 20};
                String[] names = {"pentagon", "hexagon", "octagon", "nonagon", "decagon", "dodecagon", "15-gon", "18-gon", "20-gon"};
                int i = g.nextInt(ns.length);
                String[] things = {"floor tile", "window pane", "table top", "garden bed", "road sign", "coaster", "gazebo floor"};
                String thing = g.pick(things);
                return SimulatedItem.number("geometry.polygon-angle", capitalise(article(thing)) + " " + thing + " is shaped as a regular "
                        + names[i] + ". What is the measure, in degrees, of each of its interior angles?", String.valueOf((ns[i] - 2) * 180 / ns[i]), 0.1);
            }
            case 5 -> {
                int x = 35 + g.nextInt(111);
                boolean coInterior = g.nextBoolean();
                String q = "Two parallel lines are cut by a transversal. One of the angles formed measures " + x + "°. What is the measure, in degrees, of its "
                        + (coInterior ? "co-interior (same-side interior) angle?" : "alternate interior angle?");
                return SimulatedItem.number("geometry.parallel-lines", q, String.valueOf(coInterior ? 180 - x : x), -0.2);
            }
            default -> {
                int kindT = g.nextInt(3);
                int a;
                int b;
                int c;
                if (kindT == 1) {
                    int[][] triples = {{3, 4, 5}, {5, 12, 13}, {8, 15, 17}, {6, 8, 10}, {9, 12, 15}};
                    int[] t = g.pick(triples);
                    a = t[0];
                    b = t[1];
                    c = t[2];
                } else {
                    do {
                        a = 3 + g.nextInt(12);
                        b = a + g.nextInt(8);
                        c = b + 1 + g.nextInt(a - 1);
                    } while (a * a + b * b == c * c || (kindT == 0) != (a * a + b * b > c * c));
                }
                int answer = a * a + b * b > c * c ? 0 : a * a + b * b == c * c ? 1 : 2;
                return SimulatedItem.choice("geometry.triangle-type", "A triangle has sides of length " + a + ", " + b + " and " + c
                        + ". Is it acute, right or obtuse?", List.of("acute", "right", "obtuse"), answer, 0.6);
            }
        }
    }

    private static SimulatedItem counting(SimulatedRandom g) {
        int kind = g.nextInt(4);
        switch (kind) {
            case 0 -> {
                int red = 1 + g.nextInt(12);
                int blue = 1 + g.nextInt(12);
                int vans = 1 + g.nextInt(6);
                int bikes = g.nextInt(5);
                String q = "A photo of a parking lot shows " + count(red, "red car") + ", " + count(blue, "blue car") + ", "
                        + count(vans, "white van") + " and " + count(bikes, "bicycle") + ". How many cars are in the photo (vans and bicycles excluded)?";
                return SimulatedItem.number("counting.parking-lot", q, String.valueOf(red + blue), -0.3);
            }
            case 1 -> {
                int rows = 2 + g.nextInt(5);
                int per = 3 + g.nextInt(8);
                int missing = 1 + g.nextInt(per - 1);
                String item = g.pick(new String[] {"jars", "books", "cans", "bottles", "boxes"});
                return SimulatedItem.number("counting.shelf-grid", "A picture of a shelf shows " + rows + " rows of " + item + " with " + per
                        + " in each full row; the top row is missing " + missing + ". How many " + item + " are on the shelf?",
                        String.valueOf(rows * per - missing), 0.3);
            }
            case 2 -> {
                int dogs = 1 + g.nextInt(8);
                int hens = 1 + g.nextInt(10);
                int cats = g.nextInt(4);
                return SimulatedItem.number("counting.legs", "The image of a farmyard shows " + count(dogs, "dog") + ", " + count(hens, "chicken") + " and "
                        + count(cats, "cat") + ". How many legs are visible in total, assuming every animal's legs are visible?",
                        String.valueOf(4 * dogs + 2 * hens + 4 * cats), 0.5);
            }
            default -> {
                int children = 2 + g.nextInt(8);
                int each = 1 + g.nextInt(5);
                int loose = 1 + g.nextInt(4);
                return SimulatedItem.number("counting.balloons", "The picture shows " + children + " children, each holding " + count(each, "balloon")
                        + ", and " + count(loose, "more balloon") + " floating in the sky. How many balloons are in the picture?",
                        String.valueOf(children * each + loose), -0.1);
            }
        }
    }

    private static SimulatedItem science(SimulatedRandom g) {
        int kind = g.nextInt(5);
        switch (kind) {
            case 0 -> {
                int m = 2 + g.nextInt(49);
                double a = (5 + g.nextInt(96)) / 10.0;
                return SimulatedItem.number("science.newton", "A cart of mass " + m + " kg accelerates at " + fmt1(a)
                        + " m/s² on a frictionless track. What net force acts on it, in newtons?", fmt1(m * a), -0.2);
            }
            case 1 -> {
                int r1 = 1 + g.nextInt(10);
                int r2 = 1 + g.nextInt(10);
                int current = 1 + g.nextInt(5);
                int v = (r1 + r2) * current;
                return SimulatedItem.number("science.circuit", "A circuit diagram shows a " + v + " V battery connected to resistors of "
                        + r1 + " Ω and " + r2 + " Ω in series. What current flows through the circuit, in amperes?",
                        String.valueOf(current), 0.2);
            }
            case 2 -> {
                String[][] cats = {
                    {"a noble gas", "argon", "neon", "krypton", "xenon", "helium"},
                    {"an alkali metal", "sodium", "potassium", "lithium", "rubidium", "caesium"},
                    {"a halogen", "chlorine", "fluorine", "bromine", "iodine"},
                    {"a transition metal", "iron", "copper", "nickel", "zinc", "cobalt"},
                };
                int ci = g.nextInt(cats.length);
                String gold = cats[ci][1 + g.nextInt(cats[ci].length - 1)];
                List<String> wrong = new ArrayList<>();
                for (int i = 0; i < cats.length; i++) {
                    if (i != ci) {
                        wrong.add(cats[i][1 + g.nextInt(cats[i].length - 1)]);
                    }
                }
                return SimulatedItem.choiceShuffled(g, "science.element-class", "A periodic-table diagram highlights four elements. Which of them is "
                        + cats[ci][0] + "?", gold, wrong, -0.3);
            }
            case 3 -> {
                String[][] facts = {
                    {"carries out photosynthesis", "chloroplast"},
                    {"produces most of the cell's ATP by cellular respiration", "mitochondrion"},
                    {"synthesises proteins", "ribosome"},
                    {"stores the cell's DNA", "nucleus"},
                    {"gives the plant cell rigid structural support", "cell wall"},
                    {"stores water and keeps the cell turgid", "central vacuole"},
                    {"modifies and packages proteins for secretion", "Golgi apparatus"},
                };
                int fi = g.nextInt(facts.length);
                List<String> wrong = new ArrayList<>();
                for (String[] f : facts) {
                    if (!f[1].equals(facts[fi][1])) {
                        wrong.add(f[1]);
                    }
                }
                g.shuffle(wrong);
                return SimulatedItem.choiceShuffled(g, "science.organelle", "In the labelled diagram of a plant cell, which structure "
                        + facts[fi][0] + "?", facts[fi][1], wrong.subList(0, 3), 0.0);
            }
            default -> {
                int v = 2 + g.nextInt(30);
                double density = (5 + g.nextInt(190)) / 10.0;
                double mass = Math.round(density * v * 10) / 10.0;
                return SimulatedItem.number("science.density", "A block with a mass of " + fmt1(mass) + " g displaces " + v
                        + " cm³ of water when fully submerged. What is its density, in g/cm³, rounded to two decimals?",
                        fmt2(mass / v), 0.4);
            }
        }
    }

    private static SimulatedItem medical(SimulatedRandom g) {
        // Finding -> diagnosis pairs of standard radiology/clinical teaching; options are other diagnoses.
        String[][] cases = {
            {"A chest X-ray shows a blunted right costophrenic angle with a meniscus-shaped opacity.", "Pleural effusion", "dyspnoea"},
            {"A chest X-ray shows a visceral pleural line at the left apex with no lung markings beyond it.", "Pneumothorax", "sudden pleuritic chest pain"},
            {"A chest X-ray shows lobar consolidation with air bronchograms in the right lower lobe.", "Lobar pneumonia", "fever and productive cough"},
            {"A chest X-ray shows an enlarged cardiac silhouette with a cardiothoracic ratio of 0.62.", "Cardiomegaly", "exertional breathlessness"},
            {"A chest X-ray shows bilateral hilar lymphadenopathy with clear lung fields.", "Sarcoidosis", "a dry cough and tender red shin nodules"},
            {"A chest CT shows a 2.4 cm spiculated nodule in the right upper lobe.", "Primary lung carcinoma", "weight loss and a long smoking history"},
            {"A wrist radiograph shows a transverse distal radius fracture with dorsal angulation.", "Colles fracture", "wrist pain after a fall on an outstretched hand"},
            {"A head CT shows a biconvex hyperdense collection that does not cross the suture lines.", "Epidural haematoma", "a lucid interval after head trauma"},
            {"A head CT shows a crescent-shaped hyperdense collection crossing the suture lines.", "Subdural haematoma", "gradual confusion after a minor fall"},
            {"An abdominal X-ray shows dilated small-bowel loops with multiple air-fluid levels.", "Small bowel obstruction", "colicky abdominal pain and vomiting"},
            {"A dermoscopy image shows an asymmetric 8 mm pigmented lesion with irregular borders and several colours.", "Melanoma", "a mole that has recently changed"},
            {"A fundus photograph shows microaneurysms, dot-blot haemorrhages and hard exudates.", "Diabetic retinopathy", "gradually blurred vision"},
            {"An ECG strip shows an irregularly irregular rhythm with no discernible P waves.", "Atrial fibrillation", "palpitations"},
            {"A gallbladder ultrasound shows mobile echogenic foci with posterior acoustic shadowing.", "Cholelithiasis", "right upper quadrant pain after fatty meals"},
            {"A knee MRI shows a linear high signal in the posterior horn of the medial meniscus reaching the articular surface.", "Meniscal tear", "knee locking after a twisting injury"},
            {"A brain MRI shows multiple periventricular white-matter lesions oriented perpendicular to the ventricles.", "Multiple sclerosis", "episodes of visual loss and limb numbness"},
        };
        int ci = g.nextInt(cases.length);
        String[] c = cases[ci];
        int age = 18 + g.nextInt(70);
        String sex = g.nextBoolean() ? "man" : "woman";
        List<String> wrong = new ArrayList<>();
        for (String[] other : cases) {
            if (!other[1].equals(c[1])) {
                wrong.add(other[1]);
            }
        }
        g.shuffle(wrong);
        String q = capitalise(article(String.valueOf(age))) + " " + age + "-year-old " + sex + " presents with " + c[2] + ". " + c[0] + " What is the most likely diagnosis?";
        return SimulatedItem.choiceShuffled(g, "medical.finding-diagnosis", q, c[1], wrong.subList(0, 3), 0.2);
    }

    private static SimulatedItem ocr(SimulatedRandom g) {
        int kind = g.nextInt(4);
        String[] stores = {"Corner Bakery", "Green Basket Market", "Luna Café", "Harbor Hardware", "Pixel Books", "Maple Pharmacy"};
        switch (kind) {
            case 0 -> {
                String[] items = {"Coffee", "Bagel", "Orange juice", "Croissant", "Tea", "Muffin", "Sandwich", "Salad", "Water"};
                List<String> names = new ArrayList<>(Arrays.asList(items));
                g.shuffle(names);
                int n = 2 + g.nextInt(4);
                long cents = 0;
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    int price = 99 + g.nextInt(1200);
                    cents += price;
                    lines.append(i == 0 ? "" : "; ").append(names.get(i)).append(' ').append(money(price));
                }
                int tax = (int) Math.round(cents * 0.08);
                lines.append("; Tax ").append(money(tax));
                return SimulatedItem.number("ocr.receipt-total", "A photographed receipt from " + g.pick(stores) + " lists: " + lines
                        + "; the TOTAL line is printed at the bottom. What is the total amount printed on the receipt?",
                        money((int) (cents + tax)), 0.3);
            }
            case 1 -> {
                int num = 10000 + g.nextInt(90000);
                String gold = "INV-" + num;
                List<String> distractors = ocrConfusions(g, gold);
                int day = 1 + g.nextInt(28);
                int month = 1 + g.nextInt(12);
                String q = String.format(Locale.ROOT, "The scanned invoice header reads \"%s\", \"Invoice No. %s\", \"Date: %04d-%02d-%02d\". "
                        + "What is the invoice number?", g.pick(stores), gold, 2018 + g.nextInt(8), month, day);
                return SimulatedItem.text("ocr.invoice-number", q, gold, distractors, -0.2);
            }
            case 2 -> {
                String[] streets = {"Baker Street", "Elm Avenue", "Harbour Road", "Quarry Lane", "Willow Crescent", "Station Road",
                    "Kingsway", "Mill Lane", "Orchard Close", "Bridge Street"};
                String gold = g.pick(streets);
                List<String> others = new ArrayList<>(Arrays.asList(streets));
                others.remove(gold);
                g.shuffle(others);
                List<String> distractors = new ArrayList<>(others.subList(0, 2));
                distractors.add(gold.replace("e", "c").equals(gold) ? gold + "s" : gold.replaceFirst("e", "c"));
                return SimulatedItem.text("ocr.street-sign", "A street photo shows a blue sign reading \"" + gold.toUpperCase(Locale.ROOT)
                        + "\" on a lamp post next to a bus stop for lines " + (1 + g.nextInt(40)) + " and " + (41 + g.nextInt(50))
                        + ". What street name is written on the sign? Answer in title case.", gold, distractors, 0.1);
            }
            default -> {
                int day = 1 + g.nextInt(12);
                int month = 1 + g.nextInt(12);
                if (day == month) {
                    day = day % 12 + 1;
                }
                int year = 2019 + g.nextInt(7);
                String gold = String.format(Locale.ROOT, "%02d/%02d/%04d", day, month, year);
                List<String> distractors = List.of(String.format(Locale.ROOT, "%02d/%02d/%04d", month, day, year),
                        String.format(Locale.ROOT, "%02d/%02d/%04d", day, month, year - 1));
                return SimulatedItem.text("ocr.ticket-date", "A train ticket photo shows \"Valid on " + gold + "\" above \"Adult single, coach "
                        + (char) ('A' + g.nextInt(8)) + ", seat " + (1 + g.nextInt(80)) + "\" (dates are DD/MM/YYYY). "
                        + "What date is the ticket valid on, written as printed?", gold, distractors, 0.4);
            }
        }
    }

    private static SimulatedItem perception(SimulatedRandom g) {
        String[] colors = {"red", "blue", "green", "yellow", "black", "white", "orange", "purple"};
        int kind = g.nextInt(4);
        switch (kind) {
            case 0 -> {
                List<String> cs = new ArrayList<>(Arrays.asList(colors));
                g.shuffle(cs);
                String[] objs = {"mug", "notebook", "lamp", "phone", "vase", "backpack"};
                List<String> os = new ArrayList<>(Arrays.asList(objs));
                g.shuffle(os);
                String q = "In the photo of a desk, " + article(cs.get(0)) + " " + cs.get(0) + " " + os.get(0) + " stands to the left of "
                        + article(cs.get(1)) + " " + cs.get(1) + " " + os.get(1) + ", and " + article(cs.get(2)) + " " + cs.get(2) + " " + os.get(2) + " is behind the " + os.get(1)
                        + ". What color is the object to the left of the " + os.get(1) + "?";
                return SimulatedItem.text("perception.spatial-color", q, cs.get(0), List.of(cs.get(1), cs.get(2)), -0.1);
            }
            case 1 -> {
                String[] objs = {"a dog", "a bicycle", "a bench", "a street lamp", "a parked car", "a mailbox"};
                List<String> os = new ArrayList<>(Arrays.asList(objs));
                g.shuffle(os);
                double[] dist = g.distinctTenths(4, 1.0, 20.0);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 4; i++) {
                    sb.append(i == 0 ? "" : i == 3 ? " and " : ", ").append(os.get(i)).append(String.format(Locale.ROOT, " about %.1f m", dist[i]));
                }
                boolean closest = g.nextBoolean();
                int idx = closest ? argMin(dist) : argMax(dist);
                return SimulatedItem.choice("perception.depth-order", "A street photo shows " + sb + " from the camera. Which object is "
                        + (closest ? "closest to" : "farthest from") + " the camera?", os.subList(0, 4), idx, 0.2);
            }
            case 2 -> {
                String[] shapes = {"circle", "square", "triangle", "star", "hexagon"};
                List<String> ss = new ArrayList<>(Arrays.asList(shapes));
                g.shuffle(ss);
                List<String> cs = new ArrayList<>(Arrays.asList(colors));
                g.shuffle(cs);
                String q = "A diagram shows " + article(cs.get(0)) + " " + cs.get(0) + " " + ss.get(0) + ", " + article(cs.get(1)) + " "
                        + cs.get(1) + " " + ss.get(1) + " and " + article(cs.get(2)) + " " + cs.get(2) + " " + ss.get(2) + " in a row. What is the shape of the " + cs.get(1) + " object?";
                return SimulatedItem.text("perception.shape-by-color", q, ss.get(1), List.of(ss.get(0), ss.get(2)), -0.4);
            }
            default -> {
                String[] animals = {"elephant", "horse", "dog", "cat", "rabbit", "mouse"};
                List<Integer> idx = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
                g.shuffle(idx);
                List<Integer> shown = new ArrayList<>(idx.subList(0, 4));
                List<String> opts = shown.stream().map(i -> animals[i]).toList();
                boolean largest = g.nextBoolean();
                int best = 0;
                for (int i = 1; i < 4; i++) {
                    boolean better = largest ? shown.get(i) < shown.get(best) : shown.get(i) > shown.get(best);
                    if (better) {
                        best = i;
                    }
                }
                return SimulatedItem.choice("perception.size-compare", "A photo of a wildlife park shows " + String.join(", ", opts.subList(0, 3).stream().map(o -> article(o) + " " + o).toList())
                        + " and " + article(opts.get(3)) + " " + opts.get(3)
                        + " standing near each other. Which animal in the photo is the " + (largest ? "largest" : "smallest") + "?",
                        opts, best, -0.5);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Typical OCR confusions (0/O, 1/7, 5/6, transposed digits) of a code, all different from it. */
    private static List<String> ocrConfusions(SimulatedRandom g, String gold) {
        List<String> out = new ArrayList<>();
        String digits = gold.substring(4);
        int i = g.nextInt(digits.length() - 1);
        String swapped = digits.substring(0, i) + digits.charAt(i + 1) + digits.charAt(i) + digits.substring(i + 2);
        if (!swapped.equals(digits)) {
            out.add("INV-" + swapped);
        }
        int j = g.nextInt(digits.length());
        char c = digits.charAt(j);
        char repl = switch (c) {
            case '0' -> '8';
            case '1' -> '7';
            case '5' -> '6';
            case '8' -> '3';
            default -> (char) ('0' + (c - '0' + 1) % 10);
        };
        out.add("INV-" + digits.substring(0, j) + repl + digits.substring(j + 1));
        out.add("INV-" + digits.substring(0, digits.length() - 1));
        return out;
    }

    /** "a" or "an" as the word (or number, read aloud) begins. */
    private static String article(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        boolean vowelSound = "aeiou".indexOf(w.charAt(0)) >= 0 || w.startsWith("8") || w.equals("11") || w.equals("18");
        return vowelSound ? "an" : "a";
    }

    private static String capitalise(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** "1 cat", "3 cats", "no cats". */
    private static String count(int n, String noun) {
        if (n == 0) {
            return "no " + noun + "s";
        }
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String money(int cents) {
        return String.format(Locale.ROOT, "%d.%02d", cents / 100, cents % 100);
    }

    private static String fmt1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fmt2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static int argMax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int argMin(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] < v[best]) {
                best = i;
            }
        }
        return best;
    }
}
