package it.pec.app.ui

import it.pec.core.AccountAction
import it.pec.core.BookSyncReport
import it.pec.core.ContactImport
import it.pec.core.BuyerOutcome
import it.pec.core.ReceiptKind
import it.pec.core.PecProof
import it.pec.core.SentProof
import it.pec.core.SentVerdict
import it.pec.core.SdiMessageKind
import it.pec.core.DeliveryStep
import it.pec.core.DownloadPolicy
import it.pec.core.LockPolicy
import it.pec.core.PermissionKind
import it.pec.core.DraftProblemKind
import it.pec.core.MessagePriority
import it.pec.core.RequestedReceipt
import it.pec.core.FolderKind
import it.pec.core.FolderEmptying
import it.pec.core.QuotaLevel
import it.pec.core.InvoiceIntegrity
import it.pec.core.InvoiceStyle
import it.pec.core.SignatureState
import it.pec.core.ui.ErrorTexts

/**
 * Every text the screens show, in Italian (first), English and Romanian. Composables and presenters
 * never hold a text of their own: they take it from here, so a language is one more object.
 */
interface Strings {
    val language: String
    val invoicesFolder: String
    val receiptsFolder: String
    /** The virtual folder of the sent PEC not delivered (shown while there are some). */
    val undeliveredFolder: String
    val hideReceipts: String
    /** A selection in a list: how many, and the actions on all of them. */
    fun selected(count: Int): String
    val markRead: String
    /** Every unread message of the list, not only those loaded. */
    val markAllRead: String
    /** Empty the trash (or the junk folder) for good: the button, the question's title, its text with what goes, and yes. */
    val emptyFolder: String
    val emptyFolderTitle: String
    fun emptyFolderQuestion(e: FolderEmptying): String
    val deleteForGood: String
    val emptyList: String
    val noAccounts: String
    val loadMore: String
    val delivered: String
    val accepted: String
    val failed: String
    val waiting: String
    /** The lock screen: its title (also the platform prompt's) and its button. */
    val unlockTitle: String
    val unlock: String
    /** The platform prompt's way out when it takes biometrics only. */
    val cancel: String
    /** The vault lost the store key (a new biometric was enrolled): why, and the way on. */
    val keyLostTitle: String
    val keyLostText: String
    val startAgain: String
    val startAgainConfirm: String
    /** The ☰ button's meaning, for screen readers. */
    val menu: String
    /** Notification channels. */
    val channelNewMail: String
    val channelReceipts: String
    val channelDeliveryErrors: String
    fun newMessages(count: ULong): String
    /** The certified banner: what the provider's signature proves, in plain words. */
    fun banner(state: SignatureState, provider: String?): String
    /** The banner of a PEC sent from here: what its certified receipts prove. */
    fun sentProof(p: SentProof): String
    /** Outer headers contradict the signed data: shown above everything else. */
    val tampered: String
    val notDownloaded: String
    val attachments: String
    fun step(step: DeliveryStep): String
    /** The add-account screen. */
    val address: String
    val password: String
    val provider: String
    val imapServer: String
    val smtpServer: String
    val caFile: String
    val delegateLogin: String
    val checkAndAdd: String
    val checking: String
    /** Shown beside a preset whose servers could not be confirmed. */
    val unconfirmedServers: String
    /** The compose screen. */
    val to: String
    val cc: String
    val subject: String
    val body: String
    val add: String
    val send: String
    val notPec: String
    /** The mark before a completion: what its address proved (certified, not PEC, failed). */
    fun proofMark(p: PecProof): String = when (p) {
        is PecProof.Certified -> "✓ "
        is PecProof.NotPec -> "⚠ "
        is PecProof.Failed -> "✗ "
        PecProof.Unknown -> ""
    }
    val invalidAddress: String
    fun size(totalBytes: ULong, limitBytes: ULong): String
    fun receipt(kind: RequestedReceipt): String
    fun priority(p: MessagePriority): String
    fun problem(kind: DraftProblemKind): String
    /** The invoice screen. */
    fun invoiceStyle(style: InvoiceStyle): String
    fun integrity(i: InvoiceIntegrity): String
    val sdiNotification: String
    val shareOriginal: String
    val print: String
    /** The message screen's actions. */
    val markUnread: String
    val delete: String
    val reply: String
    val replyAll: String
    val forward: String
    val moveTo: String
    val labels: String
    val label: String
    /** Export the evidence (envelope, daticert, receipts, checksums) as files. */
    val exportEvidence: String
    fun evidenceWritten(files: Int): String
    val share: String
    val open: String
    /** An attachment being downloaded: bytes so far of all. */
    fun progress(done: ULong, total: ULong): String
    /** The frame: back, write, the drawer's links, the mailbox's space. */
    val back: String
    val write: String
    val settings: String
    val addAccount: String
    /** The address book: the drawer's link, its search, what an address proved, the CardDAV books. */
    val contacts: String
    val searchPeople: String
    val noPeople: String
    /** What the mail proved about an address, in words ("" when nothing yet). */
    fun proof(p: PecProof): String
    /** How many messages came from or went to a correspondent. */
    fun uses(count: Long): String
    val addressBooks: String
    val syncNow: String
    val addBook: String
    val bookUrl: String
    val username: String
    val remove: String
    fun lastSync(at: Long?): String
    /** One book's line after "sync now": what changed, or why it could not sync. */
    fun bookReport(r: BookSyncReport): String
    /** Importing the phone's own contacts, and what it did. */
    val importPhoneContacts: String
    fun phoneImport(r: ContactImport): String
    val phoneContactsRefused: String
    /** The contact form. */
    val contact: String
    val newContact: String
    val editContact: String
    val saveAsContact: String
    val contactName: String
    val addAddress: String
    val organisation: String
    val vatNumber: String
    val taxCode: String
    val notes: String
    /** Where a contact is kept: this device, or a CardDAV book. */
    val keptIn: String
    val thisDeviceOnly: String
    val save: String
    /** Groups: recipient lists a PEC can be written to by name. */
    val groups: String
    val newGroup: String
    val permissions: String
    val openInvoice: String
    fun quota(usedKb: ULong, limitKb: ULong): String
    /** What a nearly full or full box risks (the core's level); `null` while there is room. */
    fun quotaWarning(level: QuotaLevel): String?
    /** In compose, when the sender's box is nearly full or full. */
    val receiptsMayNotArrive: String
    /** After sending: the message is in the outbox, its receipts will follow. */
    val queued: String
    /** A receipt's kind, as the list names it instead of the provider's address. */
    fun receiptKind(kind: ReceiptKind): String
    val invoiceMark: String
    /** A message's date in a list: the time today, else day and month (and the year before this one). */
    fun listDate(epochSeconds: Long): String = listDateIn(epochSeconds, java.util.Locale.forLanguageTag(language))
    /** A full date and time (a notification, a receipt). */
    fun dateTime(epochSeconds: Long): String = java.time.Instant.ofEpochSecond(epochSeconds)
        .atZone(java.time.ZoneId.systemDefault())
        .format(java.time.format.DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm", java.util.Locale.forLanguageTag(language)))
    /** A file's size in megabytes. */
    fun fileSize(bytes: ULong): String = "${megabytes(bytes)} MB"
    fun invoiceNumber(number: String): String
    fun invoiceTotal(total: String): String
    val addLabel: String
    val saveDraft: String
    /** The settings' section of each account's signature. */
    val signature: String
    /** Templates in compose: open one, save what is written as one, its name, none yet, saved. */
    val templates: String
    val saveAsTemplate: String
    val templateName: String
    val noTemplates: String
    val templateSaved: String
    val draftSaved: String
    val editDraft: String
    /** The search screen. */
    val search: String
    val searchWords: String
    val searchFilters: String
    val searchFrom: String
    fun period(p: SearchPeriod): String
    val onlyThisFolder: String
    val nothingFound: String
    /** Remote images and resources left out of an HTML message. */
    fun remoteBlocked(count: UInt): String
    /** A sent message in a list: its first recipient, and how many others. */
    fun toWhom(first: String, count: UInt): String
    val attach: String
    /** The SdI's messages about an invoice. */
    val sdiHistory: String
    fun sdiMessage(kind: SdiMessageKind): String
    fun outcome(o: BuyerOutcome): String
    /** Shown for a notification whose message is not downloaded yet. */
    val detailsAfterDownload: String
    /** The settings screen. */
    val lockAfter: String
    fun lock(policy: LockPolicy): String
    val hideReceiptsByDefault: String
    val syncEvery: String
    fun minutes(n: UInt): String
    val downloads: String
    fun downloads(policy: DownloadPolicy): String
    /** The permissions screen: what the login may not do, and why. */
    fun action(a: AccountAction): String
    fun denied(a: AccountAction, missing: PermissionKind?): String
    val yes: String
    val no: String
    /** The five permissions a business box grants a delegate. */
    val permRead: String
    val permWrite: String
    val permSend: String
    val permMailPrograms: String
    val permSettings: String
    fun folder(kind: FolderKind?, serverName: String): String
    fun unread(count: UInt): String
    /** Unread messages in the folders below a folder. */
    fun unreadBelow(count: UInt): String
    /** The text for a core error code (`PecError::code`). */
    fun error(code: String): String
}

private fun listDateIn(epochSeconds: Long, locale: java.util.Locale): String {
    val zone = java.time.ZoneId.systemDefault()
    val at = java.time.Instant.ofEpochSecond(epochSeconds).atZone(zone)
    val today = java.time.LocalDate.now(zone)
    val pattern = when {
        at.toLocalDate() == today -> "HH:mm"
        at.year == today.year -> "d MMM"
        else -> "d MMM yyyy"
    }
    return at.format(java.time.format.DateTimeFormatter.ofPattern(pattern, locale))
}

private fun megabytes(bytes: ULong): String = String.format(java.util.Locale.ROOT, "%.1f", bytes.toDouble() / (1024 * 1024))

private fun serverNameOr(kind: FolderKind?, serverName: String, names: Map<FolderKind, String>): String =
    kind?.let { names[it] } ?: serverName

/**
 * What emptying a folder deletes, in one language: [what] says how many messages go, then, when
 * there are, [among] names the PEC and the receipts among them ([receipts]: a count in words).
 */
internal fun emptyingText(
    e: FolderEmptying,
    what: (Int) -> String,
    receipts: (Int) -> String,
    among: (String) -> String,
    and: String,
): String {
    val proofs = listOfNotNull(
        e.certified.toInt().takeIf { it > 0 }?.let { "$it PEC" },
        e.receipts.toInt().takeIf { it > 0 }?.let(receipts),
    )
    return what(e.messages.toInt()) + if (proofs.isEmpty()) "" else among(proofs.joinToString(and))
}

object Italian : Strings {
    override val language = "it"
    override val markUnread = "Segna come da leggere"
    override val delete = "Elimina"
    override val reply = "Rispondi"
    override val replyAll = "Rispondi a tutti"
    override val forward = "Inoltra"
    override val moveTo = "Sposta in"
    override val labels = "Etichette"
    override val label = "Etichetta"
    override val exportEvidence = "Esporta le prove"
    override fun evidenceWritten(files: Int) = if (files == 1) "1 file salvato" else "$files file salvati"
    override val share = "Condividi"
    override val open = "Apri"
    override fun progress(done: ULong, total: ULong) = "${megabytes(done)} di ${megabytes(total)} MB"
    override val back = "Indietro"
    override val write = "Scrivi"
    override val settings = "Impostazioni"
    override val addAccount = "Aggiungi casella"
    override val contacts = "Rubrica"
    override val searchPeople = "Cerca per nome, indirizzo, partita IVA o codice fiscale"
    override val noPeople = "Nessun contatto: qui compaiono le persone con cui scrivi e quelle che salvi."
    override fun proof(p: PecProof) = when (p) {
        is PecProof.Certified -> "PEC certificata: consegna del ${dateTime(p.at)}"
        is PecProof.NotPec -> "Non è una PEC: ne è arrivata posta ordinaria il ${dateTime(p.at)}"
        is PecProof.Failed -> "Consegna non riuscita il ${dateTime(p.at)}: ${p.reason}"
        PecProof.Unknown -> ""
    }
    override fun uses(count: Long) = if (count == 1L) "1 messaggio" else "$count messaggi"
    override val addressBooks = "Rubriche CardDAV"
    override val syncNow = "Sincronizza ora"
    override val addBook = "Aggiungi rubrica"
    override val bookUrl = "Indirizzo del server o della rubrica"
    override val username = "Nome utente"
    override val remove = "Rimuovi"
    override fun lastSync(at: Long?) = at?.let { "Sincronizzata il ${dateTime(it)}" } ?: "Mai sincronizzata"
    override val contact = "Contatto"
    override val newContact = "Nuovo contatto"
    override val editContact = "Modifica il contatto"
    override val saveAsContact = "Salva come contatto"
    override val contactName = "Nome"
    override val addAddress = "Aggiungi un indirizzo"
    override val organisation = "Organizzazione"
    override val vatNumber = "Partita IVA"
    override val taxCode = "Codice fiscale"
    override val notes = "Note"
    override val keptIn = "Dove si conserva"
    override val thisDeviceOnly = "Solo su questo telefono"
    override val save = "Salva"
    override val groups = "Gruppi (liste di destinatari)"
    override val newGroup = "Nuovo gruppo"
    override val importPhoneContacts = "Importa dalla rubrica del telefono"
    override fun phoneImport(r: ContactImport) =
        "Dal telefono: ${r.imported} nuovi, ${r.merged} già presenti, ${r.skipped} senza indirizzo e-mail tralasciati"
    override val phoneContactsRefused = "Senza il permesso di leggere i contatti del telefono non si importa nulla"
    override fun bookReport(r: BookSyncReport) = r.error?.let { "${r.book.name}: ${error(it.code)}" }
        ?: ("${r.book.name}: ${r.added} nuovi, ${r.updated} aggiornati, ${r.removed} rimossi, ${r.uploaded} inviati" +
            (if (r.conflicts > 0u) ", ${r.conflicts} in conflitto (resta sul telefono la tua versione)" else "") +
            (if (r.skipped.isNotEmpty()) ", ${r.skipped.size} tralasciati" else ""))
    override val permissions = "Permessi"
    override val openInvoice = "Apri la fattura"
    override fun quota(usedKb: ULong, limitKb: ULong) = "Spazio usato: ${megabytes(usedKb * 1024u)} di ${megabytes(limitKb * 1024u)} MB"
    override fun quotaWarning(level: QuotaLevel) = when (level) {
        QuotaLevel.NEARLY_FULL -> "Casella quasi piena: le PEC in arrivo e le ricevute di quelle che invii potrebbero essere respinte. Svuota il cestino o archivia."
        QuotaLevel.FULL -> "Casella piena: le PEC in arrivo e le ricevute di quelle che invii vengono respinte. Svuota il cestino o archivia subito."
        QuotaLevel.ROOM, QuotaLevel.UNKNOWN -> null
    }
    override val receiptsMayNotArrive = "La tua casella è quasi piena: le ricevute di questo messaggio potrebbero non arrivarti."
    override val queued = "Messaggio nella posta in uscita: le ricevute seguiranno"
    override fun receiptKind(kind: ReceiptKind) = when (kind) {
        ReceiptKind.ACCETTAZIONE -> "Accettazione"
        ReceiptKind.NON_ACCETTAZIONE -> "Non accettazione"
        ReceiptKind.PRESA_IN_CARICO -> "Presa in carico"
        ReceiptKind.AVVENUTA_CONSEGNA -> "Consegna"
        ReceiptKind.ERRORE_CONSEGNA -> "Errore di consegna"
        ReceiptKind.PREAVVISO_ERRORE_CONSEGNA -> "Preavviso di mancata consegna"
        ReceiptKind.RILEVAZIONE_VIRUS -> "Rilevazione virus"
        ReceiptKind.UNKNOWN -> "Ricevuta"
    }
    override val invoiceMark = "Fattura"
    override fun invoiceNumber(number: String) = "Fattura n. $number"
    override fun invoiceTotal(total: String) = "Totale $total"
    override val addLabel = "Aggiungi un'etichetta"
    override val saveDraft = "Salva bozza"
    override val signature = "Firma (nei nuovi messaggi, nelle risposte e negli inoltri)"
    override val templates = "Modelli"
    override val saveAsTemplate = "Salva come modello"
    override val templateName = "Nome del modello"
    override val noTemplates = "Nessun modello: scrivi un messaggio e salvalo come modello"
    override val templateSaved = "Modello salvato (senza allegati né firma)"
    override val draftSaved = "Bozza salvata nella cartella Bozze"
    override val editDraft = "Continua a scrivere"
    override val search = "Cerca"
    override val searchWords = "Cerca nei messaggi"
    override val searchFilters = "Filtri"
    override val searchFrom = "Da"
    override fun period(p: SearchPeriod) = when (p) {
        SearchPeriod.WEEK -> "Ultima settimana"
        SearchPeriod.MONTH -> "Ultimo mese"
        SearchPeriod.YEAR -> "Ultimo anno"
        SearchPeriod.ALWAYS -> "Sempre"
    }
    override val onlyThisFolder = "Solo in questa cartella"
    override val nothingFound = "Nessun messaggio trovato"
    override fun remoteBlocked(count: UInt) = "Contenuti remoti non caricati ($count): chi scrive non saprà se e quando leggi"
    override fun toWhom(first: String, count: UInt) = "A: $first" + if (count > 1u) " e altri ${count - 1u}" else ""
    override val attach = "Allega file"
    override val sdiHistory = "Notifiche del Sistema di Interscambio"
    override fun sdiMessage(kind: SdiMessageKind) = when (kind) {
        SdiMessageKind.RC -> "Consegnata al destinatario"
        SdiMessageKind.NS -> "Scartata dallo SdI"
        SdiMessageKind.MC -> "Non consegnata: il destinatario la trova nella sua area riservata"
        SdiMessageKind.NE -> "Esito del destinatario"
        SdiMessageKind.DT -> "Decorsi i termini: il destinatario non ha risposto"
        SdiMessageKind.AT -> "Trasmessa, ma impossibile da recapitare"
        SdiMessageKind.MT -> "Metadati della fattura ricevuta"
        SdiMessageKind.EC -> "Esito inviato dal destinatario"
        SdiMessageKind.SE -> "Esito del destinatario scartato"
    }
    override fun outcome(o: BuyerOutcome) = when (o) {
        BuyerOutcome.ACCEPTED -> "accettata"
        BuyerOutcome.REFUSED -> "rifiutata"
    }
    override val detailsAfterDownload = "Dettagli dopo lo scaricamento del messaggio"
    override val lockAfter = "Blocca l'app"
    override fun lock(policy: LockPolicy) = when (policy) {
        is LockPolicy.Immediately -> "Subito"
        is LockPolicy.AfterMinutes -> "Dopo ${policy.minutes} min"
        is LockPolicy.Never -> "Mai"
    }
    override val hideReceiptsByDefault = "Nascondi le ricevute nelle liste"
    override val syncEvery = "Sincronizza ogni"
    override fun minutes(n: UInt) = "$n min"
    override val downloads = "Scarica"
    override fun downloads(policy: DownloadPolicy) = when (policy) {
        DownloadPolicy.RECEIPTS_ONLY -> "Solo ricevute"
        DownloadPolicy.SMALL -> "Messaggi fino a 2 MB"
        DownloadPolicy.ALL -> "Tutto"
    }
    override fun action(a: AccountAction) = when (a) {
        AccountAction.SYNC -> "Leggere la casella"
        AccountAction.SEND -> "Inviare"
        AccountAction.FLAG -> "Contrassegnare i messaggi"
        AccountAction.MOVE_DELETE -> "Spostare o eliminare i messaggi"
        AccountAction.EDIT_SETTINGS -> "Cambiare le impostazioni"
    }
    override fun denied(a: AccountAction, missing: PermissionKind?) =
        "${action(a)}: " + (missing?.let { "la tua delega non comprende «${permission(it)}»" } ?: "il server non lo consente")
    override val yes = "sì"
    override val no = "no"
    override fun invoiceStyle(style: InvoiceStyle) = when (style) {
        InvoiceStyle.COMPACT -> "Compatta"
        InvoiceStyle.MINISTERIAL -> "Ministeriale"
    }
    override fun integrity(i: InvoiceIntegrity) = when (i) {
        InvoiceIntegrity.NOT_SIGNED -> "Non firmata: nulla ne garantisce l'integrità"
        InvoiceIntegrity.SIGNED_TRUSTED -> "Firmata: firma valida di un firmatario riconosciuto"
        InvoiceIntegrity.SIGNED_UNTRUSTED -> "Firmata: contenuto integro, firmatario non verificato"
    }
    override val sdiNotification = "Notifica del Sistema di Interscambio"
    override val shareOriginal = "Condividi l'originale"
    override val print = "Stampa"
    override val to = "A"
    override val cc = "Cc"
    override val subject = "Oggetto"
    override val body = "Testo"
    override val add = "Aggiungi"
    override val send = "Invia"
    override val notPec = "Forse non è una casella PEC: arriverà solo la ricevuta di accettazione"
    override val invalidAddress = "Indirizzo non valido"
    override fun size(totalBytes: ULong, limitBytes: ULong) =
        "${megabytes(totalBytes)} MB di ${megabytes(limitBytes)} MB (dimensione × destinatari)"
    override fun receipt(kind: RequestedReceipt) = when (kind) {
        RequestedReceipt.COMPLETA -> "Ricevuta completa"
        RequestedReceipt.BREVE -> "Ricevuta breve"
        RequestedReceipt.SINTETICA -> "Ricevuta sintetica"
    }
    override fun priority(p: MessagePriority) = when (p) {
        MessagePriority.HIGH -> "Priorità alta"
        MessagePriority.NORMAL -> "Priorità normale"
        MessagePriority.LOW -> "Priorità bassa"
    }
    override fun problem(kind: DraftProblemKind) = when (kind) {
        DraftProblemKind.NO_RECIPIENTS -> "Aggiungi almeno un destinatario"
        DraftProblemKind.BCC_NOT_ALLOWED -> "La PEC non ammette destinatari nascosti"
        DraftProblemKind.INVALID_ADDRESS -> "Un indirizzo non è valido"
        DraftProblemKind.NO_SENDER -> "Scegli la casella da cui inviare"
        DraftProblemKind.BLOCKED_ATTACHMENT -> "Un allegato è un programma: i gestori PEC lo rifiutano"
        DraftProblemKind.ATTACHMENT_UNREADABLE -> "Un allegato non si può leggere"
        DraftProblemKind.TOO_LARGE -> "Troppo grande per il gestore: togli allegati o destinatari"
        DraftProblemKind.TOO_MANY_RECIPIENTS -> "Troppi destinatari per un solo messaggio"
        DraftProblemKind.BAD_SUBJECT -> "L'oggetto contiene un a capo"
        DraftProblemKind.HTML_WITHOUT_TEXT -> "Serve anche il testo semplice"
        DraftProblemKind.OTHER -> "Il messaggio non si può inviare così"
    }
    override val address = "Indirizzo PEC"
    override val password = "Password"
    override val provider = "Gestore"
    override val imapServer = "Server IMAP (host:porta)"
    override val smtpServer = "Server SMTP (host:porta)"
    override val caFile = "Certificato CA del server (facoltativo)"
    override val delegateLogin = "Utente delegato (facoltativo)"
    override val checkAndAdd = "Verifica e aggiungi"
    override val checking = "Verifica in corso…"
    override val unconfirmedServers = "Server non confermati: verificali con il tuo gestore"
    override val permRead = "Lettura"
    override val permWrite = "Scrittura"
    override val permSend = "Invio"
    override val permMailPrograms = "Uso da programmi di posta"
    override val permSettings = "Gestione impostazioni"
    override val invoicesFolder = "Fatture ricevute"
    override val receiptsFolder = "Ricevute"
    override val undeliveredFolder = "Non consegnati"
    override val hideReceipts = "Nascondi ricevute"
    override fun selected(count: Int) = if (count == 1) "1 selezionato" else "$count selezionati"
    override val markRead = "Segna come letti"
    override val markAllRead = "Segna tutti come letti"
    override val emptyFolder = "Svuota"
    override val emptyFolderTitle = "Svuotare la cartella?"
    override fun emptyFolderQuestion(e: FolderEmptying) = emptyingText(e,
        what = { n -> (if (n == 1) "1 messaggio sarà eliminato" else "$n messaggi saranno eliminati") + " definitivamente, anche dal server." },
        receipts = { if (it == 1) "1 ricevuta" else "$it ricevute" },
        among = { " Tra questi: $it; conservane una copia se ti servono come prova." }, and = " e ")
    override val deleteForGood = "Elimina definitivamente"
    override val emptyList = "Nessun messaggio"
    override val noAccounts = "Nessuna casella configurata"
    override val loadMore = "Altri messaggi"
    override val delivered = "Consegnata"
    override val accepted = "Accettata"
    override val failed = "Non consegnata"
    override val waiting = "In attesa di ricevuta"
    override val unlockTitle = "Sblocca la PEC"
    override val unlock = "Sblocca"
    override val cancel = "Annulla"
    override val keyLostTitle = "La chiave di questo dispositivo è cambiata"
    override val keyLostText = "Su questo dispositivo è stata aggiunta un'impronta o un volto: per sicurezza la chiave che proteggeva la posta salvata qui è stata cancellata, e quei dati non si possono più leggere. La posta resta sul server del gestore: ricomincia, aggiungi di nuovo le caselle e tornerà. I messaggi in attesa di invio da questo dispositivo sono persi."
    override val startAgain = "Ricomincia"
    override val startAgainConfirm = "Cancellare i dati illeggibili di questo dispositivo e ricominciare?"
    override val menu = "Menu"
    override val channelNewMail = "Nuove PEC"
    override val channelReceipts = "Ricevute"
    override val channelDeliveryErrors = "Errori di consegna"
    override fun newMessages(count: ULong) = if (count == 1uL) "1 nuovo messaggio" else "$count nuovi messaggi"
    private val names = mapOf(
        FolderKind.INBOX to "Posta in arrivo", FolderKind.SENT to "Posta inviata",
        FolderKind.DRAFTS to "Bozze", FolderKind.TRASH to "Cestino",
        FolderKind.JUNK to "Spam", FolderKind.ARCHIVE to "Archivio", FolderKind.OUTBOX to "Posta in uscita",
    )
    override fun banner(state: SignatureState, provider: String?) = when (state) {
        SignatureState.VALID -> "Certificata" + (provider?.let { " da $it" } ?: "") + ": firma del gestore valida"
        SignatureState.INVALID -> "Attenzione: la firma del gestore non corrisponde, il messaggio è stato alterato"
        SignatureState.UNTRUSTED -> "Firma integra, ma il firmatario non è un gestore PEC riconosciuto"
        SignatureState.ABSENT -> "Non certificata: nessuna firma del gestore"
        SignatureState.NOT_CHECKED -> "Non ancora verificata: il messaggio non è scaricato"
    }
    override fun sentProof(p: SentProof) = when (p.verdict) {
        SentVerdict.FAILED -> "Non consegnata a ${p.failed} destinatari su ${p.recipients}: vedi le ricevute"
        SentVerdict.DELIVERED -> "Consegnata: le ricevute di consegna del gestore lo certificano"
        SentVerdict.PARTLY_DELIVERED -> "Consegnata a ${p.delivered} destinatari su ${p.recipients}"
        SentVerdict.ACCEPTED -> "Accettata dal tuo gestore: si attende la consegna"
        SentVerdict.WAITING -> "In attesa della ricevuta di accettazione"
    }
    override val tampered = "Intestazioni in contrasto con i dati firmati: il messaggio è stato modificato dopo l'invio"
    override val notDownloaded = "Messaggio non ancora scaricato"
    override val attachments = "Allegati"
    override fun step(step: DeliveryStep) = when (step) {
        DeliveryStep.SENT -> "Inviata"
        DeliveryStep.ACCEPTED -> "Accettata"
        DeliveryStep.DELIVERED -> "Consegnata"
        DeliveryStep.WARNING -> "Consegna in ritardo"
        DeliveryStep.FAILED -> "Non consegnata"
    }
    override fun folder(kind: FolderKind?, serverName: String) = serverNameOr(kind, serverName, names)
    override fun unread(count: UInt) = if (count == 1u) "1 da leggere" else "$count da leggere"
    override fun unreadBelow(count: UInt) = "$count da leggere nelle sottocartelle"
    override fun error(code: String) = ErrorTexts.texts[code]?.first ?: ErrorTexts.texts.getValue("internal").first
}

object English : Strings {
    override val language = "en"
    override val markUnread = "Mark as unread"
    override val delete = "Delete"
    override val reply = "Reply"
    override val replyAll = "Reply all"
    override val forward = "Forward"
    override val moveTo = "Move to"
    override val labels = "Labels"
    override val label = "Label"
    override val exportEvidence = "Export the evidence"
    override fun evidenceWritten(files: Int) = if (files == 1) "1 file saved" else "$files files saved"
    override val share = "Share"
    override val open = "Open"
    override fun progress(done: ULong, total: ULong) = "${megabytes(done)} of ${megabytes(total)} MB"
    override val back = "Back"
    override val write = "Write"
    override val settings = "Settings"
    override val addAccount = "Add a mailbox"
    override val contacts = "Contacts"
    override val searchPeople = "Search by name, address, VAT number or tax code"
    override val noPeople = "No contacts yet: the people you write with and those you save appear here."
    override fun proof(p: PecProof) = when (p) {
        is PecProof.Certified -> "Certified PEC: delivered ${dateTime(p.at)}"
        is PecProof.NotPec -> "Not a PEC address: ordinary mail came from it ${dateTime(p.at)}"
        is PecProof.Failed -> "Delivery failed ${dateTime(p.at)}: ${p.reason}"
        PecProof.Unknown -> ""
    }
    override fun uses(count: Long) = if (count == 1L) "1 message" else "$count messages"
    override val addressBooks = "CardDAV address books"
    override val syncNow = "Sync now"
    override val addBook = "Add an address book"
    override val bookUrl = "Server or address book address"
    override val username = "User name"
    override val remove = "Remove"
    override fun lastSync(at: Long?) = at?.let { "Synced ${dateTime(it)}" } ?: "Never synced"
    override val contact = "Contact"
    override val newContact = "New contact"
    override val editContact = "Edit the contact"
    override val saveAsContact = "Save as a contact"
    override val contactName = "Name"
    override val addAddress = "Add an address"
    override val organisation = "Organisation"
    override val vatNumber = "VAT number"
    override val taxCode = "Tax code"
    override val notes = "Notes"
    override val keptIn = "Kept in"
    override val thisDeviceOnly = "This phone only"
    override val save = "Save"
    override val groups = "Groups (recipient lists)"
    override val newGroup = "New group"
    override val importPhoneContacts = "Import the phone's contacts"
    override fun phoneImport(r: ContactImport) =
        "From the phone: ${r.imported} new, ${r.merged} already here, ${r.skipped} without an e-mail address left out"
    override val phoneContactsRefused = "Without permission to read the phone's contacts nothing is imported"
    override fun bookReport(r: BookSyncReport) = r.error?.let { "${r.book.name}: ${error(it.code)}" }
        ?: ("${r.book.name}: ${r.added} new, ${r.updated} updated, ${r.removed} removed, ${r.uploaded} uploaded" +
            (if (r.conflicts > 0u) ", ${r.conflicts} in conflict (your version stays on this phone)" else "") +
            (if (r.skipped.isNotEmpty()) ", ${r.skipped.size} left out" else ""))
    override val permissions = "Permissions"
    override val openInvoice = "Open the invoice"
    override fun quota(usedKb: ULong, limitKb: ULong) = "Space used: ${megabytes(usedKb * 1024u)} of ${megabytes(limitKb * 1024u)} MB"
    override fun quotaWarning(level: QuotaLevel) = when (level) {
        QuotaLevel.NEARLY_FULL -> "Mailbox nearly full: incoming PEC and the receipts of those you send may be refused. Empty the trash or archive."
        QuotaLevel.FULL -> "Mailbox full: incoming PEC and the receipts of those you send are refused. Empty the trash or archive now."
        QuotaLevel.ROOM, QuotaLevel.UNKNOWN -> null
    }
    override val receiptsMayNotArrive = "Your mailbox is nearly full: the receipts of this message may not reach you."
    override val queued = "In the outbox: the receipts will follow"
    override fun receiptKind(kind: ReceiptKind) = when (kind) {
        ReceiptKind.ACCETTAZIONE -> "Acceptance"
        ReceiptKind.NON_ACCETTAZIONE -> "Non-acceptance"
        ReceiptKind.PRESA_IN_CARICO -> "Taken in charge"
        ReceiptKind.AVVENUTA_CONSEGNA -> "Delivery"
        ReceiptKind.ERRORE_CONSEGNA -> "Delivery error"
        ReceiptKind.PREAVVISO_ERRORE_CONSEGNA -> "Delivery delay warning"
        ReceiptKind.RILEVAZIONE_VIRUS -> "Virus found"
        ReceiptKind.UNKNOWN -> "Receipt"
    }
    override val invoiceMark = "Invoice"
    override fun invoiceNumber(number: String) = "Invoice no. $number"
    override fun invoiceTotal(total: String) = "Total $total"
    override val addLabel = "Add a label"
    override val saveDraft = "Save draft"
    override val signature = "Signature (in new messages, replies and forwards)"
    override val templates = "Templates"
    override val saveAsTemplate = "Save as template"
    override val templateName = "Template name"
    override val noTemplates = "No templates: write a message and save it as one"
    override val templateSaved = "Template saved (without attachments or signature)"
    override val draftSaved = "Draft saved in the Drafts folder"
    override val editDraft = "Go on writing"
    override val search = "Search"
    override val searchWords = "Search the messages"
    override val searchFilters = "Filters"
    override val searchFrom = "From"
    override fun period(p: SearchPeriod) = when (p) {
        SearchPeriod.WEEK -> "Last week"
        SearchPeriod.MONTH -> "Last month"
        SearchPeriod.YEAR -> "Last year"
        SearchPeriod.ALWAYS -> "Any time"
    }
    override val onlyThisFolder = "Only in this folder"
    override val nothingFound = "No messages found"
    override fun remoteBlocked(count: UInt) = "Remote content not loaded ($count): the sender will not learn whether or when you read"
    override fun toWhom(first: String, count: UInt) = "To: $first" + if (count > 1u) " and ${count - 1u} more" else ""
    override val attach = "Attach files"
    override val sdiHistory = "Exchange System (SdI) notifications"
    override fun sdiMessage(kind: SdiMessageKind) = when (kind) {
        SdiMessageKind.RC -> "Delivered to the buyer"
        SdiMessageKind.NS -> "Rejected by the SdI"
        SdiMessageKind.MC -> "Not delivered: the buyer finds it in its reserved area"
        SdiMessageKind.NE -> "The buyer's answer"
        SdiMessageKind.DT -> "Terms lapsed: the buyer did not answer"
        SdiMessageKind.AT -> "Transmitted, but impossible to deliver"
        SdiMessageKind.MT -> "Metadata of the received invoice"
        SdiMessageKind.EC -> "Answer sent by the buyer"
        SdiMessageKind.SE -> "The buyer's answer was rejected"
    }
    override fun outcome(o: BuyerOutcome) = when (o) {
        BuyerOutcome.ACCEPTED -> "accepted"
        BuyerOutcome.REFUSED -> "refused"
    }
    override val detailsAfterDownload = "Details once the message is downloaded"
    override val lockAfter = "Lock the app"
    override fun lock(policy: LockPolicy) = when (policy) {
        is LockPolicy.Immediately -> "At once"
        is LockPolicy.AfterMinutes -> "After ${policy.minutes} min"
        is LockPolicy.Never -> "Never"
    }
    override val hideReceiptsByDefault = "Hide receipts in lists"
    override val syncEvery = "Sync every"
    override fun minutes(n: UInt) = "$n min"
    override val downloads = "Download"
    override fun downloads(policy: DownloadPolicy) = when (policy) {
        DownloadPolicy.RECEIPTS_ONLY -> "Receipts only"
        DownloadPolicy.SMALL -> "Messages up to 2 MB"
        DownloadPolicy.ALL -> "Everything"
    }
    override fun action(a: AccountAction) = when (a) {
        AccountAction.SYNC -> "Read the mailbox"
        AccountAction.SEND -> "Send"
        AccountAction.FLAG -> "Flag messages"
        AccountAction.MOVE_DELETE -> "Move or delete messages"
        AccountAction.EDIT_SETTINGS -> "Change the settings"
    }
    override fun denied(a: AccountAction, missing: PermissionKind?) =
        "${action(a)}: " + (missing?.let { "your delegation does not include \"${permission(it)}\"" } ?: "the server does not allow it")
    override val yes = "yes"
    override val no = "no"
    override fun invoiceStyle(style: InvoiceStyle) = when (style) {
        InvoiceStyle.COMPACT -> "Compact"
        InvoiceStyle.MINISTERIAL -> "Ministerial"
    }
    override fun integrity(i: InvoiceIntegrity) = when (i) {
        InvoiceIntegrity.NOT_SIGNED -> "Not signed: nothing vouches for it"
        InvoiceIntegrity.SIGNED_TRUSTED -> "Signed: valid signature of a recognised signer"
        InvoiceIntegrity.SIGNED_UNTRUSTED -> "Signed: content intact, signer not verified"
    }
    override val sdiNotification = "Notification of the Exchange System (SdI)"
    override val shareOriginal = "Share the original"
    override val print = "Print"
    override val to = "To"
    override val cc = "Cc"
    override val subject = "Subject"
    override val body = "Text"
    override val add = "Add"
    override val send = "Send"
    override val notPec = "May not be a PEC box: only the acceptance receipt will come back"
    override val invalidAddress = "Not a valid address"
    override fun size(totalBytes: ULong, limitBytes: ULong) =
        "${megabytes(totalBytes)} MB of ${megabytes(limitBytes)} MB (size × recipients)"
    override fun receipt(kind: RequestedReceipt) = when (kind) {
        RequestedReceipt.COMPLETA -> "Full receipt"
        RequestedReceipt.BREVE -> "Short receipt"
        RequestedReceipt.SINTETICA -> "Summary receipt"
    }
    override fun priority(p: MessagePriority) = when (p) {
        MessagePriority.HIGH -> "High priority"
        MessagePriority.NORMAL -> "Normal priority"
        MessagePriority.LOW -> "Low priority"
    }
    override fun problem(kind: DraftProblemKind) = when (kind) {
        DraftProblemKind.NO_RECIPIENTS -> "Add at least one recipient"
        DraftProblemKind.BCC_NOT_ALLOWED -> "PEC has no hidden recipients"
        DraftProblemKind.INVALID_ADDRESS -> "An address is not valid"
        DraftProblemKind.NO_SENDER -> "Choose the mailbox to send from"
        DraftProblemKind.BLOCKED_ATTACHMENT -> "An attachment is a program: PEC providers refuse it"
        DraftProblemKind.ATTACHMENT_UNREADABLE -> "An attachment cannot be read"
        DraftProblemKind.TOO_LARGE -> "Too large for the provider: remove attachments or recipients"
        DraftProblemKind.TOO_MANY_RECIPIENTS -> "Too many recipients for one message"
        DraftProblemKind.BAD_SUBJECT -> "The subject contains a line break"
        DraftProblemKind.HTML_WITHOUT_TEXT -> "A plain-text body is needed too"
        DraftProblemKind.OTHER -> "The message cannot be sent like this"
    }
    override val address = "PEC address"
    override val password = "Password"
    override val provider = "Provider"
    override val imapServer = "IMAP server (host:port)"
    override val smtpServer = "SMTP server (host:port)"
    override val caFile = "Server CA certificate (optional)"
    override val delegateLogin = "Delegate username (optional)"
    override val checkAndAdd = "Check and add"
    override val checking = "Checking…"
    override val unconfirmedServers = "Servers not confirmed: check them with your provider"
    override val permRead = "Read"
    override val permWrite = "Write"
    override val permSend = "Send"
    override val permMailPrograms = "Use from mail programs"
    override val permSettings = "Manage settings"
    override val invoicesFolder = "Received invoices"
    override val receiptsFolder = "Receipts"
    override val undeliveredFolder = "Not delivered"
    override val hideReceipts = "Hide receipts"
    override fun selected(count: Int) = "$count selected"
    override val markRead = "Mark as read"
    override val markAllRead = "Mark all as read"
    override val emptyFolder = "Empty"
    override val emptyFolderTitle = "Empty the folder?"
    override fun emptyFolderQuestion(e: FolderEmptying) = emptyingText(e,
        what = { n -> (if (n == 1) "1 message will be deleted" else "$n messages will be deleted") + " for good, here and on the server." },
        receipts = { if (it == 1) "1 receipt" else "$it receipts" },
        among = { " Among them: $it; keep a copy if you may need them as proof." }, and = " and ")
    override val deleteForGood = "Delete for good"
    override val emptyList = "No messages"
    override val noAccounts = "No mailbox set up"
    override val loadMore = "More messages"
    override val delivered = "Delivered"
    override val accepted = "Accepted"
    override val failed = "Not delivered"
    override val waiting = "Waiting for a receipt"
    override val unlockTitle = "Unlock your PEC"
    override val unlock = "Unlock"
    override val cancel = "Cancel"
    override val keyLostTitle = "The key of this device changed"
    override val keyLostText = "A fingerprint or face was added to this device, so the key that protected the mail kept here was deleted for safety, and that data can no longer be read. The mail stays on your provider's server: start again, add your mailboxes again, and it comes back. Messages waiting to be sent from this device are lost."
    override val startAgain = "Start again"
    override val startAgainConfirm = "Delete the unreadable data on this device and start again?"
    override val menu = "Menu"
    override val channelNewMail = "New PEC"
    override val channelReceipts = "Receipts"
    override val channelDeliveryErrors = "Delivery errors"
    override fun newMessages(count: ULong) = if (count == 1uL) "1 new message" else "$count new messages"
    private val names = mapOf(
        FolderKind.INBOX to "Inbox", FolderKind.SENT to "Sent",
        FolderKind.DRAFTS to "Drafts", FolderKind.TRASH to "Trash",
        FolderKind.JUNK to "Spam", FolderKind.ARCHIVE to "Archive", FolderKind.OUTBOX to "Outbox",
    )
    override fun banner(state: SignatureState, provider: String?) = when (state) {
        SignatureState.VALID -> "Certified" + (provider?.let { " by $it" } ?: "") + ": the provider's signature is valid"
        SignatureState.INVALID -> "Warning: the provider's signature does not match, the message was altered"
        SignatureState.UNTRUSTED -> "Signature intact, but the signer is not a recognised PEC provider"
        SignatureState.ABSENT -> "Not certified: no provider signature"
        SignatureState.NOT_CHECKED -> "Not checked yet: the message is not downloaded"
    }
    override fun sentProof(p: SentProof) = when (p.verdict) {
        SentVerdict.FAILED -> "Not delivered to ${p.failed} of ${p.recipients} recipients: see the receipts"
        SentVerdict.DELIVERED -> "Delivered: the provider's delivery receipts certify it"
        SentVerdict.PARTLY_DELIVERED -> "Delivered to ${p.delivered} of ${p.recipients} recipients"
        SentVerdict.ACCEPTED -> "Accepted by your provider: waiting for the delivery"
        SentVerdict.WAITING -> "Waiting for the acceptance receipt"
    }
    override val tampered = "Headers contradict the signed data: the message was changed after it was sent"
    override val notDownloaded = "Message not downloaded yet"
    override val attachments = "Attachments"
    override fun step(step: DeliveryStep) = when (step) {
        DeliveryStep.SENT -> "Sent"
        DeliveryStep.ACCEPTED -> "Accepted"
        DeliveryStep.DELIVERED -> "Delivered"
        DeliveryStep.WARNING -> "Delivery late"
        DeliveryStep.FAILED -> "Not delivered"
    }
    override fun folder(kind: FolderKind?, serverName: String) = serverNameOr(kind, serverName, names)
    override fun unread(count: UInt) = "$count unread"
    override fun unreadBelow(count: UInt) = "$count unread in subfolders"
    override fun error(code: String) = ErrorTexts.texts[code]?.second ?: ErrorTexts.texts.getValue("internal").second
}

object Romanian : Strings {
    override val language = "ro"
    override val markUnread = "Marchează ca necitit"
    override val delete = "Șterge"
    override val reply = "Răspunde"
    override val replyAll = "Răspunde tuturor"
    override val forward = "Redirecționează"
    override val moveTo = "Mută în"
    override val labels = "Etichete"
    override val label = "Etichetă"
    override val exportEvidence = "Exportă dovezile"
    override fun evidenceWritten(files: Int) = if (files == 1) "1 fișier salvat" else "$files fișiere salvate"
    override val share = "Partajează"
    override val open = "Deschide"
    override fun progress(done: ULong, total: ULong) = "${megabytes(done)} din ${megabytes(total)} MB"
    override val back = "Înapoi"
    override val write = "Scrie"
    override val settings = "Setări"
    override val addAccount = "Adaugă o căsuță"
    override val contacts = "Agendă"
    override val searchPeople = "Caută după nume, adresă, cod TVA sau cod fiscal"
    override val noPeople = "Niciun contact: aici apar persoanele cu care scrieți și cele pe care le salvați."
    override fun proof(p: PecProof) = when (p) {
        is PecProof.Certified -> "PEC certificată: livrare la ${dateTime(p.at)}"
        is PecProof.NotPec -> "Nu este o adresă PEC: a sosit de la ea poștă obișnuită la ${dateTime(p.at)}"
        is PecProof.Failed -> "Livrare eșuată la ${dateTime(p.at)}: ${p.reason}"
        PecProof.Unknown -> ""
    }
    override fun uses(count: Long) = if (count == 1L) "1 mesaj" else "$count mesaje"
    override val addressBooks = "Agende CardDAV"
    override val syncNow = "Sincronizează acum"
    override val addBook = "Adaugă o agendă"
    override val bookUrl = "Adresa serverului sau a agendei"
    override val username = "Nume de utilizator"
    override val remove = "Elimină"
    override fun lastSync(at: Long?) = at?.let { "Sincronizată la ${dateTime(it)}" } ?: "Nesincronizată niciodată"
    override val contact = "Contact"
    override val newContact = "Contact nou"
    override val editContact = "Modifică contactul"
    override val saveAsContact = "Salvează ca contact"
    override val contactName = "Nume"
    override val addAddress = "Adaugă o adresă"
    override val organisation = "Organizație"
    override val vatNumber = "Cod TVA"
    override val taxCode = "Cod fiscal"
    override val notes = "Note"
    override val keptIn = "Păstrat în"
    override val thisDeviceOnly = "Doar pe acest telefon"
    override val save = "Salvează"
    override val groups = "Grupuri (liste de destinatari)"
    override val newGroup = "Grup nou"
    override val importPhoneContacts = "Importă contactele telefonului"
    override fun phoneImport(r: ContactImport) =
        "Din telefon: ${r.imported} noi, ${r.merged} deja existente, ${r.skipped} fără adresă de e-mail omise"
    override val phoneContactsRefused = "Fără permisiunea de a citi contactele telefonului nu se importă nimic"
    override fun bookReport(r: BookSyncReport) = r.error?.let { "${r.book.name}: ${error(it.code)}" }
        ?: ("${r.book.name}: ${r.added} noi, ${r.updated} actualizate, ${r.removed} eliminate, ${r.uploaded} trimise" +
            (if (r.conflicts > 0u) ", ${r.conflicts} în conflict (versiunea dvs. rămâne pe telefon)" else "") +
            (if (r.skipped.isNotEmpty()) ", ${r.skipped.size} omise" else ""))
    override val permissions = "Permisiuni"
    override val openInvoice = "Deschide factura"
    override fun quota(usedKb: ULong, limitKb: ULong) = "Spațiu folosit: ${megabytes(usedKb * 1024u)} din ${megabytes(limitKb * 1024u)} MB"
    override fun quotaWarning(level: QuotaLevel) = when (level) {
        QuotaLevel.NEARLY_FULL -> "Căsuța aproape plină: mesajele PEC primite și confirmările celor trimise pot fi respinse. Goliți coșul sau arhivați."
        QuotaLevel.FULL -> "Căsuța plină: mesajele PEC primite și confirmările celor trimise sunt respinse. Goliți coșul sau arhivați acum."
        QuotaLevel.ROOM, QuotaLevel.UNKNOWN -> null
    }
    override val receiptsMayNotArrive = "Căsuța dvs. este aproape plină: confirmările acestui mesaj s-ar putea să nu vă ajungă."
    override val queued = "În căsuța de ieșire: chitanțele vor urma"
    override fun receiptKind(kind: ReceiptKind) = when (kind) {
        ReceiptKind.ACCETTAZIONE -> "Acceptare"
        ReceiptKind.NON_ACCETTAZIONE -> "Neacceptare"
        ReceiptKind.PRESA_IN_CARICO -> "Preluare"
        ReceiptKind.AVVENUTA_CONSEGNA -> "Livrare"
        ReceiptKind.ERRORE_CONSEGNA -> "Eroare de livrare"
        ReceiptKind.PREAVVISO_ERRORE_CONSEGNA -> "Avertisment de întârziere"
        ReceiptKind.RILEVAZIONE_VIRUS -> "Virus detectat"
        ReceiptKind.UNKNOWN -> "Chitanță"
    }
    override val invoiceMark = "Factură"
    override fun invoiceNumber(number: String) = "Factura nr. $number"
    override fun invoiceTotal(total: String) = "Total $total"
    override val addLabel = "Adaugă o etichetă"
    override val saveDraft = "Salvează ciorna"
    override val signature = "Semnătură (în mesajele noi, răspunsuri și redirecționări)"
    override val templates = "Șabloane"
    override val saveAsTemplate = "Salvează ca șablon"
    override val templateName = "Numele șablonului"
    override val noTemplates = "Niciun șablon: scrieți un mesaj și salvați-l ca șablon"
    override val templateSaved = "Șablon salvat (fără atașamente și fără semnătură)"
    override val draftSaved = "Ciornă salvată în dosarul Ciorne"
    override val editDraft = "Continuă să scrii"
    override val search = "Caută"
    override val searchWords = "Caută în mesaje"
    override val searchFilters = "Filtre"
    override val searchFrom = "De la"
    override fun period(p: SearchPeriod) = when (p) {
        SearchPeriod.WEEK -> "Ultima săptămână"
        SearchPeriod.MONTH -> "Ultima lună"
        SearchPeriod.YEAR -> "Ultimul an"
        SearchPeriod.ALWAYS -> "Oricând"
    }
    override val onlyThisFolder = "Doar în acest dosar"
    override val nothingFound = "Niciun mesaj găsit"
    override fun remoteBlocked(count: UInt) = "Conținut la distanță neîncărcat ($count): expeditorul nu va afla dacă sau când citești"
    override fun toWhom(first: String, count: UInt) = "Către: $first" + if (count > 1u) " și încă ${count - 1u}" else ""
    override val attach = "Atașează fișiere"
    override val sdiHistory = "Notificările Sistemului de Interschimb (SdI)"
    override fun sdiMessage(kind: SdiMessageKind) = when (kind) {
        SdiMessageKind.RC -> "Livrată destinatarului"
        SdiMessageKind.NS -> "Respinsă de SdI"
        SdiMessageKind.MC -> "Nelivrată: destinatarul o găsește în zona sa rezervată"
        SdiMessageKind.NE -> "Răspunsul destinatarului"
        SdiMessageKind.DT -> "Termen expirat: destinatarul nu a răspuns"
        SdiMessageKind.AT -> "Transmisă, dar imposibil de livrat"
        SdiMessageKind.MT -> "Metadatele facturii primite"
        SdiMessageKind.EC -> "Răspuns trimis de destinatar"
        SdiMessageKind.SE -> "Răspunsul destinatarului a fost respins"
    }
    override fun outcome(o: BuyerOutcome) = when (o) {
        BuyerOutcome.ACCEPTED -> "acceptată"
        BuyerOutcome.REFUSED -> "refuzată"
    }
    override val detailsAfterDownload = "Detalii după descărcarea mesajului"
    override val lockAfter = "Blochează aplicația"
    override fun lock(policy: LockPolicy) = when (policy) {
        is LockPolicy.Immediately -> "Imediat"
        is LockPolicy.AfterMinutes -> "După ${policy.minutes} min"
        is LockPolicy.Never -> "Niciodată"
    }
    override val hideReceiptsByDefault = "Ascunde confirmările în liste"
    override val syncEvery = "Sincronizează la fiecare"
    override fun minutes(n: UInt) = "$n min"
    override val downloads = "Descarcă"
    override fun downloads(policy: DownloadPolicy) = when (policy) {
        DownloadPolicy.RECEIPTS_ONLY -> "Doar confirmări"
        DownloadPolicy.SMALL -> "Mesaje de până la 2 MB"
        DownloadPolicy.ALL -> "Tot"
    }
    override fun action(a: AccountAction) = when (a) {
        AccountAction.SYNC -> "Citirea căsuței"
        AccountAction.SEND -> "Trimiterea"
        AccountAction.FLAG -> "Marcarea mesajelor"
        AccountAction.MOVE_DELETE -> "Mutarea sau ștergerea mesajelor"
        AccountAction.EDIT_SETTINGS -> "Schimbarea setărilor"
    }
    override fun denied(a: AccountAction, missing: PermissionKind?) =
        "${action(a)}: " + (missing?.let { "delegarea ta nu include „${permission(it)}”" } ?: "serverul nu permite")
    override val yes = "da"
    override val no = "nu"
    override fun invoiceStyle(style: InvoiceStyle) = when (style) {
        InvoiceStyle.COMPACT -> "Compactă"
        InvoiceStyle.MINISTERIAL -> "Ministerială"
    }
    override fun integrity(i: InvoiceIntegrity) = when (i) {
        InvoiceIntegrity.NOT_SIGNED -> "Nesemnată: nimic nu îi garantează integritatea"
        InvoiceIntegrity.SIGNED_TRUSTED -> "Semnată: semnătură validă a unui semnatar recunoscut"
        InvoiceIntegrity.SIGNED_UNTRUSTED -> "Semnată: conținut intact, semnatar neverificat"
    }
    override val sdiNotification = "Notificare a Sistemului de Interschimb (SdI)"
    override val shareOriginal = "Partajează originalul"
    override val print = "Tipărește"
    override val to = "Către"
    override val cc = "Cc"
    override val subject = "Subiect"
    override val body = "Text"
    override val add = "Adaugă"
    override val send = "Trimite"
    override val notPec = "Poate nu este o căsuță PEC: va sosi doar confirmarea de acceptare"
    override val invalidAddress = "Adresă nevalidă"
    override fun size(totalBytes: ULong, limitBytes: ULong) =
        "${megabytes(totalBytes)} MB din ${megabytes(limitBytes)} MB (dimensiune × destinatari)"
    override fun receipt(kind: RequestedReceipt) = when (kind) {
        RequestedReceipt.COMPLETA -> "Confirmare completă"
        RequestedReceipt.BREVE -> "Confirmare scurtă"
        RequestedReceipt.SINTETICA -> "Confirmare sintetică"
    }
    override fun priority(p: MessagePriority) = when (p) {
        MessagePriority.HIGH -> "Prioritate mare"
        MessagePriority.NORMAL -> "Prioritate normală"
        MessagePriority.LOW -> "Prioritate mică"
    }
    override fun problem(kind: DraftProblemKind) = when (kind) {
        DraftProblemKind.NO_RECIPIENTS -> "Adaugă cel puțin un destinatar"
        DraftProblemKind.BCC_NOT_ALLOWED -> "PEC nu permite destinatari ascunși"
        DraftProblemKind.INVALID_ADDRESS -> "O adresă nu este validă"
        DraftProblemKind.NO_SENDER -> "Alege căsuța din care trimiți"
        DraftProblemKind.BLOCKED_ATTACHMENT -> "Un atașament este un program: furnizorii PEC îl refuză"
        DraftProblemKind.ATTACHMENT_UNREADABLE -> "Un atașament nu poate fi citit"
        DraftProblemKind.TOO_LARGE -> "Prea mare pentru furnizor: elimină atașamente sau destinatari"
        DraftProblemKind.TOO_MANY_RECIPIENTS -> "Prea mulți destinatari pentru un singur mesaj"
        DraftProblemKind.BAD_SUBJECT -> "Subiectul conține un salt de linie"
        DraftProblemKind.HTML_WITHOUT_TEXT -> "Este nevoie și de text simplu"
        DraftProblemKind.OTHER -> "Mesajul nu poate fi trimis așa"
    }
    override val address = "Adresă PEC"
    override val password = "Parolă"
    override val provider = "Furnizor"
    override val imapServer = "Server IMAP (gazdă:port)"
    override val smtpServer = "Server SMTP (gazdă:port)"
    override val caFile = "Certificatul CA al serverului (opțional)"
    override val delegateLogin = "Utilizator delegat (opțional)"
    override val checkAndAdd = "Verifică și adaugă"
    override val checking = "Se verifică…"
    override val unconfirmedServers = "Servere neconfirmate: verifică-le cu furnizorul"
    override val permRead = "Citire"
    override val permWrite = "Scriere"
    override val permSend = "Trimitere"
    override val permMailPrograms = "Utilizare din programe de e-mail"
    override val permSettings = "Gestionarea setărilor"
    override val invoicesFolder = "Facturi primite"
    override val receiptsFolder = "Confirmări"
    override val undeliveredFolder = "Nelivrate"
    override val hideReceipts = "Ascunde confirmările"
    override fun selected(count: Int) = if (count == 1) "1 selectat" else "$count selectate"
    override val markRead = "Marchează ca citite"
    override val markAllRead = "Marchează toate ca citite"
    override val emptyFolder = "Golește"
    override val emptyFolderTitle = "Goliți dosarul?"
    override fun emptyFolderQuestion(e: FolderEmptying) = emptyingText(e,
        what = { n -> (if (n == 1) "1 mesaj va fi șters" else "$n mesaje vor fi șterse") + " definitiv, aici și pe server." },
        receipts = { if (it == 1) "1 confirmare" else "$it confirmări" },
        among = { " Printre ele: $it; păstrați o copie dacă vă pot servi ca dovadă." }, and = " și ")
    override val deleteForGood = "Șterge definitiv"
    override val emptyList = "Niciun mesaj"
    override val noAccounts = "Nicio căsuță configurată"
    override val loadMore = "Mai multe mesaje"
    override val delivered = "Livrat"
    override val accepted = "Acceptat"
    override val failed = "Nelivrat"
    override val waiting = "Se așteaptă confirmarea"
    override val unlockTitle = "Deblochează PEC"
    override val unlock = "Deblochează"
    override val cancel = "Anulează"
    override val keyLostTitle = "Cheia acestui dispozitiv s-a schimbat"
    override val keyLostText = "Pe acest dispozitiv a fost adăugată o amprentă sau o față, așa că cheia care proteja corespondența păstrată aici a fost ștearsă din motive de siguranță, iar acele date nu mai pot fi citite. Corespondența rămâne pe serverul furnizorului: începeți din nou, adăugați din nou căsuțele și va reveni. Mesajele care așteptau să fie trimise de pe acest dispozitiv sunt pierdute."
    override val startAgain = "Începeți din nou"
    override val startAgainConfirm = "Ștergeți datele ilizibile de pe acest dispozitiv și începeți din nou?"
    override val menu = "Meniu"
    override val channelNewMail = "PEC noi"
    override val channelReceipts = "Confirmări"
    override val channelDeliveryErrors = "Erori de livrare"
    override fun newMessages(count: ULong) = if (count == 1uL) "1 mesaj nou" else "$count mesaje noi"
    private val names = mapOf(
        FolderKind.INBOX to "Mesaje primite", FolderKind.SENT to "Trimise",
        FolderKind.DRAFTS to "Ciorne", FolderKind.TRASH to "Coș",
        FolderKind.JUNK to "Spam", FolderKind.ARCHIVE to "Arhivă", FolderKind.OUTBOX to "De trimis",
    )
    private val errors = mapOf(
        "not_found" to "Elementul nu a fost găsit: poate a fost șters.",
        "invalid_input" to "Verifică datele introduse.",
        "auth" to "Autentificare refuzată: verifică utilizatorul și parola.",
        "network" to "Serverul nu poate fi contactat. Încearcă mai târziu.",
        "timeout" to "Serverul nu răspunde: încearcă mai târziu sau verifică adresa și portul.",
        "tls" to "Conexiunea securizată a eșuat: certificat nesigur.",
        "server" to "Serverul a refuzat operațiunea.",
        "permission" to "Delegarea ta nu permite această operațiune.",
        "credentials" to "Parola nu este disponibilă: introdu-o din nou.",
        "storage" to "Eroare a arhivei locale.",
        "unreadable" to "Fișierul nu poate fi citit.",
        "signature_invalid" to "Semnătura nu corespunde: fișierul a fost modificat.",
        "not_downloaded" to "Mesajul nu este încă descărcat: sincronizează.",
        "cancelled" to "Operațiune anulată.",
        "too_large" to "Fișierul este prea mare pentru aplicație.",
        "locked" to "Aplicația este blocată: deblocheaz-o pentru a continua.",
        "wrong_key" to "Cheie sau frază de acces greșită: nu s-a modificat nimic.",
        "key_needed" to "Arhiva este criptată: este nevoie de cheia ei.",
        "not_encrypted" to "Arhiva nu este încă criptată.",
        "store_damaged" to "Arhiva locală este deteriorată: resincronizează de pe server.",
        "internal" to "Eroare internă: raporteaz-o dezvoltatorilor.",
    )
    override fun banner(state: SignatureState, provider: String?) = when (state) {
        SignatureState.VALID -> "Certificat" + (provider?.let { " de $it" } ?: "") + ": semnătura furnizorului este validă"
        SignatureState.INVALID -> "Atenție: semnătura furnizorului nu corespunde, mesajul a fost modificat"
        SignatureState.UNTRUSTED -> "Semnătură intactă, dar semnatarul nu este un furnizor PEC recunoscut"
        SignatureState.ABSENT -> "Necertificat: fără semnătura furnizorului"
        SignatureState.NOT_CHECKED -> "Neverificat încă: mesajul nu este descărcat"
    }
    override fun sentProof(p: SentProof) = when (p.verdict) {
        SentVerdict.FAILED -> "Nelivrată la ${p.failed} din ${p.recipients} destinatari: vezi chitanțele"
        SentVerdict.DELIVERED -> "Livrată: chitanțele de livrare ale furnizorului o certifică"
        SentVerdict.PARTLY_DELIVERED -> "Livrată la ${p.delivered} din ${p.recipients} destinatari"
        SentVerdict.ACCEPTED -> "Acceptată de furnizorul tău: se așteaptă livrarea"
        SentVerdict.WAITING -> "Se așteaptă chitanța de acceptare"
    }
    override val tampered = "Anteturile contrazic datele semnate: mesajul a fost modificat după trimitere"
    override val notDownloaded = "Mesajul nu este încă descărcat"
    override val attachments = "Atașamente"
    override fun step(step: DeliveryStep) = when (step) {
        DeliveryStep.SENT -> "Trimis"
        DeliveryStep.ACCEPTED -> "Acceptat"
        DeliveryStep.DELIVERED -> "Livrat"
        DeliveryStep.WARNING -> "Livrare întârziată"
        DeliveryStep.FAILED -> "Nelivrat"
    }
    override fun folder(kind: FolderKind?, serverName: String) = serverNameOr(kind, serverName, names)
    override fun unread(count: UInt) = "$count necitite"
    override fun unreadBelow(count: UInt) = "$count necitite în subdosare"
    override fun error(code: String) = errors[code] ?: errors.getValue("internal")
}

/** The name of a permission, in `strings`' language. */
fun Strings.permission(p: PermissionKind): String = when (p) {
    PermissionKind.READ -> permRead
    PermissionKind.WRITE -> permWrite
    PermissionKind.SEND -> permSend
    PermissionKind.MAIL_PROGRAMS -> permMailPrograms
    PermissionKind.SETTINGS -> permSettings
}

/** The strings for a BCP 47 language tag: Italian unless English or Romanian is asked for. */
fun stringsFor(languageTag: String): Strings = when (languageTag.substringBefore('-').lowercase()) {
    "en" -> English
    "ro" -> Romanian
    else -> Italian
}
