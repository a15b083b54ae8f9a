import '../../styles/settings.css';
import { useEffect, useId, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { hasRole } from '../../store/auth.js';
import { useAuth } from '../../store/authContext.js';

export type ManageTarget = 'adjust' | 'incidents' | 'printers' | 'staff' | 'settings';

interface Item {
  target: ManageTarget;
  testId: string;
  label: string;
}

/** The screens a manager or owner uses, in the order the menu lists them. */
export function manageItems(t: (key: string) => string, owner: boolean): Item[] {
  const items: Item[] = [
    { target: 'adjust', testId: 'nav-manage-adjust', label: t('adjust.nav') },
    { target: 'incidents', testId: 'nav-manage-incidents', label: t('incidents.nav') },
    { target: 'printers', testId: 'nav-printers', label: t('printing.nav') },
  ];
  if (owner) items.push({ target: 'staff', testId: 'nav-staff', label: t('auth.staff.nav') });
  items.push({ target: 'settings', testId: 'nav-settings', label: t('settings.nav') });
  return items;
}

/**
 * The top bar's "Manage" menu (WAI-ARIA menu button): the button opens a list of the manager and
 * owner screens; ↑/↓/Home/End move, Enter/Space choose, Escape or Tab close it and focus returns to
 * the button.
 */
export function ManageMenu({ current, onSelect }: { current: ManageTarget | null; onSelect: (target: ManageTarget) => void }) {
  const { t } = useTranslation();
  const owner = useAuth((s) => hasRole(s.status, 'owner'));
  const items = manageItems(t, owner);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const itemRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const menuId = useId();

  useEffect(() => {
    if (open) itemRefs.current[active]?.focus();
  }, [open, active]);

  // A click anywhere else closes the menu.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (rootRef.current && !rootRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const openAt = (index: number) => {
    setActive((index + items.length) % items.length);
    setOpen(true);
  };
  const close = (focusButton: boolean) => {
    setOpen(false);
    if (focusButton) buttonRef.current?.focus();
  };
  const choose = (target: ManageTarget) => {
    close(true);
    onSelect(target);
  };

  const onButtonKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      openAt(0);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      openAt(items.length - 1);
    }
  };
  const onMenuKey = (e: KeyboardEvent<HTMLDivElement>) => {
    e.stopPropagation();
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => (a + 1) % items.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a - 1 + items.length) % items.length);
    } else if (e.key === 'Home') {
      e.preventDefault();
      setActive(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      setActive(items.length - 1);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close(true);
    } else if (e.key === 'Tab') {
      setOpen(false);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const item = items[active];
      if (item) choose(item.target);
    }
  };

  return (
    <div className="manage" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="tab manage__button"
        data-testid="nav-manage"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-current={current ? 'page' : undefined}
        onClick={() => (open ? close(false) : openAt(0))}
        onKeyDown={onButtonKey}
      >
        {t('settings.manage.button')}
        <span className="manage__caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open && (
        <div className="manage__menu" role="menu" id={menuId} aria-label={t('settings.manage.label')} data-testid="manage-menu" onKeyDown={onMenuKey}>
          {items.map((item, i) => (
            <button
              key={item.target}
              ref={(el) => {
                itemRefs.current[i] = el;
              }}
              type="button"
              role="menuitem"
              tabIndex={i === active ? 0 : -1}
              className="manage__item"
              data-testid={item.testId}
              aria-current={current === item.target ? 'page' : undefined}
              onClick={() => choose(item.target)}
              onMouseEnter={() => setActive(i)}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
